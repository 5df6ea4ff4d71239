import assert from "node:assert/strict";
import { closeAllSql, forgetPoolsAfter, getSql } from "./db.ts";

Deno.test("forgetPoolsAfter() replaces pools only when the server was lost", async () => {
  // postgres.js connects lazily: no server is needed to create and compare pools.
  const url = "postgresql://nobody:secret@127.0.0.1:9/none";
  try {
    const first = getSql(url);
    assert.equal(getSql(url), first, "one pool per URL");
    assert.equal(forgetPoolsAfter(new Error("syntax error")), false);
    assert.equal(getSql(url), first, "other errors keep the pool");
    const restarted = Object.assign(new Error("terminating connection"), { code: "57P01" });
    assert.equal(forgetPoolsAfter(restarted), true);
    const second = getSql(url);
    assert.notEqual(second, first, "a lost server gives a fresh pool");
    assert.equal(
      forgetPoolsAfter(Object.assign(new Error("x"), { code: "CONNECT_TIMEOUT" })),
      true,
    );
    await first.end();
    await second.end();
  } finally {
    await closeAllSql();
  }
});
