import assert from "node:assert/strict";
import { JwtError, localKeys, signJwt, verifyJwt } from "./jwt.ts";

const SECRET = "a-test-secret-that-is-at-least-32-characters";

Deno.test("verifyJwt()", async (t) => {
  await t.step("accepts a token it signed and returns the claims", async () => {
    const token = await signJwt({ role: "service_role", exp: 4102444800 }, SECRET);
    assert.deepEqual(await verifyJwt(token, SECRET), { role: "service_role", exp: 4102444800 });
  });
  await t.step("refuses a token signed with another secret", async () => {
    const token = await signJwt({ role: "anon" }, "another-secret-that-is-32-characters-long");
    await assert.rejects(
      verifyJwt(token, SECRET),
      (e) => e instanceof JwtError && /signature does not match/.test(e.message),
    );
  });
  await t.step("refuses an expired token", async () => {
    const token = await signJwt({ role: "anon", exp: 1000 }, SECRET);
    await assert.rejects(verifyJwt(token, SECRET, { now: 1001 * 1000 }), /expired/);
  });
  await t.step("refuses malformed tokens", async () => {
    await assert.rejects(verifyJwt("abc", SECRET), /three dot-separated parts/);
    await assert.rejects(verifyJwt("a.b.c", SECRET), /not base64url JSON/);
  });
  await t.step("refuses a token whose payload was altered", async () => {
    const [h, , s] = (await signJwt({ role: "anon" }, SECRET)).split(".");
    const forged = btoa(JSON.stringify({ role: "service_role" })).replace(/=+$/, "");
    await assert.rejects(verifyJwt(`${h}.${forged}.${s}`, SECRET), /signature/);
  });
  await t.step("refuses alg none", async () => {
    const h = btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "");
    const p = btoa(JSON.stringify({ role: "service_role" })).replace(/=+$/, "");
    await assert.rejects(verifyJwt(`${h}.${p}.`, SECRET), /unsupported algorithm/);
  });
});

Deno.test("localKeys() mints anon and service_role keys like the Supabase CLI", async () => {
  const keys = await localKeys(SECRET);
  assert.equal((await verifyJwt(keys.anon, SECRET)).role, "anon");
  assert.equal((await verifyJwt(keys.serviceRole, SECRET)).role, "service_role");
  assert.equal((await verifyJwt(keys.serviceRole, SECRET)).iss, "supabase-demo");
});

Deno.test("localKeys() with the default secret equals the Supabase CLI's published demo keys", async () => {
  // The keys `supabase start` prints for its default JWT secret (Supabase CLI local development
  // docs; the same strings appear in countless local .env files).
  const keys = await localKeys("super-secret-jwt-token-with-at-least-32-characters-long");
  assert.equal(
    keys.anon,
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0",
  );
  assert.equal(
    keys.serviceRole,
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU",
  );
});
