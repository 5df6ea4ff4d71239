import assert from "node:assert/strict";
import { z } from "zod";
import { DB_ENV, parseEnv } from "./env.ts";
import { createFunctionApp, HttpError, readJsonBody } from "./http.ts";

const INPUT = z.object({ as_of: z.iso.date().optional(), n: z.number().int().optional() }).strict();

function app() {
  const a = createFunctionApp("demo-fn");
  a.post("/", async (c) => c.json(await readJsonBody(c, INPUT)));
  a.get("/teapot", () => {
    throw new HttpError(418, "teapot", "Cannot brew coffee: this is a teapot");
  });
  a.get("/env", () => {
    parseEnv(DB_ENV, { SUPABASE_DB_URL: "mysql://secret-password@host/db" });
    return new Response("unreachable");
  });
  a.get("/crash", () => {
    throw new Error("database password is hunter2");
  });
  return a;
}

Deno.test("createFunctionApp()", async (t) => {
  const errors: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    await t.step("GET and POST /<name>/health answer 200", async () => {
      for (const method of ["GET", "POST"]) {
        const res = await app().request("/demo-fn/health", { method });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { status: "ok", function: "demo-fn" });
      }
    });
    await t.step("an unknown route is a 404 JSON error", async () => {
      const res = await app().request("/demo-fn/nope");
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), {
        error: { code: "not_found", message: "No route GET /demo-fn/nope" },
      });
    });
    await t.step("readJsonBody: empty body is {}, good input passes", async () => {
      assert.deepEqual(await (await app().request("/demo-fn", { method: "POST" })).json(), {});
      const res = await app().request("/demo-fn", {
        method: "POST",
        body: JSON.stringify({ as_of: "2026-03-04", n: 3 }),
      });
      assert.deepEqual(await res.json(), { as_of: "2026-03-04", n: 3 });
    });
    await t.step("readJsonBody: malformed JSON is a 400 invalid_json", async () => {
      const res = await app().request("/demo-fn", { method: "POST", body: "{nope" });
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error.code, "invalid_json");
    });
    await t.step("readJsonBody: schema errors are a 400 naming every wrong field", async () => {
      const res = await app().request("/demo-fn", {
        method: "POST",
        body: JSON.stringify({ as_of: "yesterday", n: 1.5, extra: true }),
      });
      assert.equal(res.status, 400);
      const { error } = await res.json();
      assert.equal(error.code, "invalid_request");
      assert.match(error.message, /as_of: /);
      assert.match(error.message, /n: /);
      assert.match(error.message, /extra/);
    });
    await t.step("HttpError maps to its status and code", async () => {
      const res = await app().request("/demo-fn/teapot");
      assert.equal(res.status, 418);
      assert.deepEqual(await res.json(), {
        error: { code: "teapot", message: "Cannot brew coffee: this is a teapot" },
      });
    });
    await t.step("EnvError is a 500 naming the variable, never its value", async () => {
      const res = await app().request("/demo-fn/env");
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.match(text, /SUPABASE_DB_URL is invalid/);
      assert.doesNotMatch(text, /secret-password/);
      assert.doesNotMatch(JSON.stringify(errors.map(String)), /secret-password/);
    });
    await t.step("an unknown error is logged and answered with a bare 500", async () => {
      const res = await app().request("/demo-fn/crash");
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), {
        error: { code: "internal_error", message: "Internal error" },
      });
      assert.ok(errors.some((args) => String(args[0]).includes("unhandled error on GET")));
    });
  } finally {
    console.error = original;
  }
});
