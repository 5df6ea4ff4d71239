import assert from "node:assert/strict";
import {
  asDatabaseError,
  databaseLabel,
  databaseUnavailable,
  DatabaseUnavailableError,
} from "./db_errors.ts";
import { createFunctionApp } from "./http/app.ts";

const pgError = (code: string, message: string) =>
  Object.assign(new Error(message), { name: "PostgresError", code });

Deno.test("lost and refused connections are told apart from other errors", () => {
  const closed = Object.assign(new Error("write CONNECTION_CLOSED"), {
    code: "CONNECTION_CLOSED",
    address: "10.0.0.5",
    port: 6543,
  });
  assert.equal(databaseUnavailable(closed), "CONNECTION_CLOSED (10.0.0.5:6543)");
  assert.match(databaseUnavailable(pgError("57P01", "terminating connection"))!, /^57P01/);
  assert.match(
    databaseUnavailable(pgError("57P03", "the database system is starting up"))!,
    /57P03/,
  );
  assert.match(databaseUnavailable(pgError("08006", "connection failure"))!, /08006/);
  assert.equal(
    databaseUnavailable(new Deno.errors.ConnectionRefused("refused")),
    "ConnectionRefused",
  );
  assert.equal(databaseUnavailable(pgError("23505", "duplicate key")), undefined);
  assert.equal(databaseUnavailable(new Error("boom")), undefined);
  assert.equal(databaseUnavailable("CONNECTION_CLOSED"), undefined);
});

Deno.test("a database error names host, port and database, never the credentials", () => {
  const url = "postgresql://postgres.ref:s3cret@aws-0.pooler.supabase.com:6543/postgres";
  assert.equal(databaseLabel(url), "aws-0.pooler.supabase.com:6543/postgres");
  const e = asDatabaseError(pgError("57P01", "terminating connection"), url);
  assert.ok(e instanceof DatabaseUnavailableError);
  assert.doesNotMatch(e.message, /s3cret/);
  const other = new Error("boom");
  assert.equal(asDatabaseError(other, url), other);
});

Deno.test("functions answer a lost database with 503 database_unavailable", async () => {
  const app = createFunctionApp("probe");
  app.get("/wrapped", () => {
    throw new DatabaseUnavailableError("db.example:5432/postgres", "CONNECTION_CLOSED");
  });
  app.get("/raw", () => {
    throw Object.assign(new Error("x"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 1 });
  });
  const wrapped = await app.request("/probe/wrapped");
  assert.equal(wrapped.status, 503);
  assert.deepEqual(await wrapped.json(), {
    error: {
      code: "database_unavailable",
      message: "Database unavailable: db.example:5432/postgres: CONNECTION_CLOSED",
    },
  });
  const raw = await app.request("/probe/raw");
  assert.equal(raw.status, 503);
  assert.match((await raw.json()).error.message, /ECONNREFUSED \(127\.0\.0\.1:1\)/);
});
