// The running gateway, reached as clients reach Supabase: supabase-js functions.invoke and fetch.
import assert from "node:assert/strict";
import { createClient, FunctionsHttpError } from "@supabase/supabase-js";
import { signJwt } from "../../../scripts/local/jwt.ts";
import { stackEnv } from "./_stack.ts";

const FUNCTIONS = [
  "zoho-sync",
  "compute-metrics",
  "generate-brief",
  "whatsapp-webhook",
  "dashboard",
  "pipeline",
];
const OPTIONS = {
  auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
};

Deno.test("gateway via supabase-js functions.invoke", async (t) => {
  const env = stackEnv();
  const service = createClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!, OPTIONS);

  await t.step("every function answers GET health with the service_role key", async () => {
    for (const fn of FUNCTIONS) {
      const { data, error } = await service.functions.invoke(`${fn}/health`, { method: "GET" });
      assert.equal(error, null, `${fn}: ${error?.message}`);
      assert.deepEqual(data, { status: "ok", function: fn });
    }
  });
  await t.step(
    "the anon key is a valid JWT too (verify_jwt checks the token, not the role)",
    async () => {
      const anon = createClient(env.SUPABASE_URL!, env.SUPABASE_ANON_KEY!, OPTIONS);
      const { error } = await anon.functions.invoke("zoho-sync/health", { method: "GET" });
      assert.equal(error, null);
    },
  );
  await t.step("a key signed with another secret gives a 401 JSON error", async () => {
    const forged = await signJwt(
      { role: "service_role" },
      "not-the-local-secret-but-32-chars-long",
    );
    const client = createClient(env.SUPABASE_URL!, forged, OPTIONS);
    const { error } = await client.functions.invoke("zoho-sync/health", { method: "GET" });
    assert.ok(error instanceof FunctionsHttpError);
    const response = error.context as Response;
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.code, "unauthorized");
  });
  await t.step("an expired key gives 401", async () => {
    const expired = await signJwt({ role: "service_role", exp: 1_600_000_000 }, env.JWT_SECRET!);
    const client = createClient(env.SUPABASE_URL!, expired, OPTIONS);
    const { error } = await client.functions.invoke("compute-metrics/health", { method: "GET" });
    assert.ok(error instanceof FunctionsHttpError);
    const response = error.context as Response;
    assert.equal(response.status, 401);
    assert.match((await response.json()).error.message, /expired/);
  });
});

Deno.test("gateway via raw fetch", async (t) => {
  const env = stackEnv();
  const url = env.FUNCTIONS_URL!;
  await t.step("no Authorization header: 401 JSON for verify_jwt functions", async () => {
    for (const fn of ["zoho-sync", "compute-metrics", "pipeline"]) {
      const res = await fetch(`${url}/${fn}/health`);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal((await res.json()).error.message, "Missing authorization header");
    }
  });
  await t.step("malformed bearer token: 401 JSON", async () => {
    const res = await fetch(`${url}/zoho-sync/health`, {
      headers: { authorization: "Bearer definitely.not.ajwt" },
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unauthorized");
  });
  await t.step("verify_jwt = false functions answer without a token", async () => {
    // generate-brief takes Twilio's status callbacks; its other routes check the key in code.
    for (const fn of ["whatsapp-webhook", "generate-brief"]) {
      const res = await fetch(`${url}/${fn}/health`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
  });
  await t.step("unknown function: 404 JSON", async () => {
    const res = await fetch(`${url}/no-such-function/health`, {
      headers: { authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` },
    });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.message, "Function not found: no-such-function");
  });
  await t.step("unknown route inside a function: 404 JSON from the function", async () => {
    const res = await fetch(`${url}/zoho-sync/nope`, {
      headers: { authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` },
    });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, "not_found");
  });
});
