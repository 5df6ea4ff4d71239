import assert from "node:assert/strict";
import { createScratchDb } from "./scratch_db.ts";

Deno.test("createScratchDb() without SUPABASE_DB_URL fails naming it, never a default port", async () => {
  const saved = Deno.env.get("SUPABASE_DB_URL");
  Deno.env.delete("SUPABASE_DB_URL");
  try {
    const made = await createScratchDb("unset").then((db) => db, (e: Error) => e);
    // A fallback made a database on some stack: drop it, then fail.
    if (!(made instanceof Error)) await made.drop();
    assert.ok(made instanceof Error, "a scratch database was created without SUPABASE_DB_URL");
    assert.match(made.message, /SUPABASE_DB_URL is not set/);
  } finally {
    if (saved !== undefined) Deno.env.set("SUPABASE_DB_URL", saved);
  }
});
