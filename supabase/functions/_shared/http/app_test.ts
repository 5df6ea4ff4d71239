import assert from "node:assert/strict";
import { z } from "zod";
import { DB_ENV, parseEnv } from "../env.ts";
import { createFunctionApp, HttpError, readJsonBody } from "./app.ts";
import { SyncBusyError } from "../sync/runs.ts";
import { RunBusyError, RunParamsError, RunStateError } from "../pipeline/runs.ts";
import { ZohoApiError } from "../zoho/errors.ts";

const INPUT = z.object({ as_of: z.iso.date().optional(), n: z.number().int().optional() }).strict();

function app() {
  const a = createFunctionApp("demo-fn", {
    databaseUrl: () => "postgresql://postgres:hunter22@db.example:6543/postgres",
  });
  a.post("/", async (c) => c.json(await readJsonBody(c, INPUT)));
  a.get("/teapot", () => {
    throw new HttpError(418, "teapot", "Cannot brew coffee: this is a teapot");
  });
  a.get("/env", () => {
    parseEnv(DB_ENV, { SUPABASE_DB_URL: "mysql://secret-password@host/db" });
    return new Response("unreachable");
  });
  a.get("/crash", () => {
    throw new Error("Cannot connect to postgresql://postgres:hunter22@db/postgres");
  });
  a.get("/busy", () => {
    throw new SyncBusyError("Cannot start the sync: another run holds the lease");
  });
  a.get("/run-busy", () => {
    throw new RunBusyError("0b6c3f4e-0000-4000-8000-000000000001", "Cannot start a run: busy");
  });
  a.get("/run-state", () => {
    throw new RunStateError("Cannot retry sync: it is running");
  });
  a.get("/run-params", () => {
    throw new RunParamsError("Cannot start a run: unknown parameter(s) colour");
  });
  a.get("/db-gone", () => {
    throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  });
  a.get("/zoho", () => {
    throw new ZohoApiError({ status: 500, method: "GET", path: "/Leads", code: "INTERNAL_ERROR" });
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
    await t.step("an unknown error is logged, redacted, and answered with a bare 500", async () => {
      const res = await app().request("/demo-fn/crash");
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), {
        error: { code: "internal_error", message: "Internal error" },
      });
      const line = errors.map((args) => args.map(String).join(" ")).find((l) =>
        l.includes("unhandled error on GET /demo-fn/crash")
      );
      assert.ok(line, "logged");
      assert.match(line, /postgres:\[redacted\]@db/);
      assert.doesNotMatch(line, /hunter22/);
    });
    await t.step("domain errors map through the one table (error_map.ts)", async () => {
      const busy = await app().request("/demo-fn/busy");
      assert.equal(busy.status, 409);
      assert.deepEqual(await busy.json(), {
        error: { code: "busy", message: "Cannot start the sync: another run holds the lease" },
      });
      const zoho = await app().request("/demo-fn/zoho");
      assert.equal(zoho.status, 502);
      assert.deepEqual(await zoho.json(), {
        error: { code: "zoho_error", message: "GET /Leads (500 INTERNAL_ERROR)" },
      });
    });

    await t.step("pipeline run errors: one status and code each, with their fields", async () => {
      const answer = async (path: string) => {
        const res = await app().request(`/demo-fn/${path}`);
        return [res.status, await res.json()];
      };
      assert.deepEqual(await answer("run-busy"), [409, {
        error: {
          code: "run_in_progress",
          message: "Cannot start a run: busy",
          run_id: "0b6c3f4e-0000-4000-8000-000000000001",
        },
      }]);
      assert.deepEqual(await answer("run-state"), [409, {
        error: { code: "invalid_state", message: "Cannot retry sync: it is running" },
      }]);
      assert.deepEqual(await answer("run-params"), [400, {
        error: {
          code: "invalid_request",
          message: "Cannot start a run: unknown parameter(s) colour",
        },
      }]);
    });

    await t.step(
      "a lost database connection is a 503 naming the database, never its password",
      async () => {
        const res = await app().request("/demo-fn/db-gone");
        assert.equal(res.status, 503);
        const body = await res.json();
        assert.equal(body.error.code, "database_unavailable");
        assert.match(body.error.message, /db\.example:6543\/postgres/);
        assert.doesNotMatch(JSON.stringify(body), /hunter22/);
      },
    );
  } finally {
    console.error = original;
  }
});
