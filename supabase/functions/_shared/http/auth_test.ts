import assert from "node:assert/strict";
import { Hono } from "hono";
import { constantTimeEqual, requireServiceRole, serviceKeys } from "./auth.ts";
import { createFunctionApp } from "./app.ts";

function app(env: Record<string, string>) {
  const a: Hono = createFunctionApp("admin");
  a.post("/", requireServiceRole(() => env), (c) => c.json({ ok: true }));
  return a;
}

const post = (a: Hono, auth?: string) =>
  a.request("/admin", { method: "POST", headers: auth ? { authorization: auth } : {} });

Deno.test("requireServiceRole()", async (t) => {
  const env = { SUPABASE_SERVICE_ROLE_KEY: "service-key", SUPABASE_ANON_KEY: "anon-key" };
  await t.step("lets the service_role key through", async () => {
    assert.equal((await post(app(env), "Bearer service-key")).status, 200);
  });
  await t.step("401 without a bearer token", async () => {
    const res = await post(app(env));
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unauthorized");
  });
  await t.step("403 for the anon key (valid JWT, wrong role)", async () => {
    const res = await post(app(env), "Bearer anon-key");
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "forbidden");
  });
  await t.step("accepts new-style secret keys from SUPABASE_SECRET_KEYS", async () => {
    const a = app({ SUPABASE_SECRET_KEYS: JSON.stringify({ default: "sb_secret_abc" }) });
    assert.equal((await post(a, "Bearer sb_secret_abc")).status, 200);
    assert.equal((await post(a, "Bearer sb_secret_abd")).status, 403);
  });
  await t.step("500 when no service key is configured, without leaking anything", async () => {
    const res = await post(app({}), "Bearer whatever");
    assert.equal(res.status, 500);
    assert.equal((await res.json()).error.code, "misconfigured");
  });
});

Deno.test("constantTimeEqual() compares whole strings", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("abc", "abd"), false);
  assert.equal(constantTimeEqual("abc", "abcd"), false);
  assert.equal(constantTimeEqual("", ""), true);
  const sig = "k3Jd9fQ2xZ7pL0aB5cR8tY1uV4wN6mE2hG9iK0oP3sA";
  const forged: Record<string, string> = {
    truncated: sig.slice(0, -1),
    prefix: sig.slice(0, 8),
    extended: `${sig}A`,
    "altered suffix": `${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`,
    empty: "",
  };
  for (const [what, value] of Object.entries(forged)) {
    assert.equal(constantTimeEqual(sig, value), false, what);
    assert.equal(constantTimeEqual(value, sig), false, `${what}, reversed`);
  }
});

Deno.test("serviceKeys() ignores malformed SUPABASE_SECRET_KEYS", () => {
  assert.deepEqual(serviceKeys({ SUPABASE_SERVICE_ROLE_KEY: "k", SUPABASE_SECRET_KEYS: "{x" }), [
    "k",
  ]);
});
