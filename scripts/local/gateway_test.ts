import assert from "node:assert/strict";
import { Hono } from "hono";
import { createGateway } from "./gateway.ts";
import { signJwt } from "./jwt.ts";

const SECRET = "gateway-test-secret-at-least-32-characters";

function fakeApp(name: string) {
  const app = new Hono().basePath(`/${name}`);
  app.get("/health", (c) => c.json({ ok: name }));
  app.get("/echo/*", (c) => c.json({ path: c.req.path, q: c.req.query("q") }));
  // A function whose handler throws past its framework (e.g. a crash in its fetch).
  return {
    fetch(request: Request) {
      if (new URL(request.url).pathname.endsWith("/boom")) throw new Error("boom");
      return app.fetch(request);
    },
  };
}

function gateway(lines: string[] = []) {
  return createGateway({
    functions: [
      { name: "secure", enabled: true, verifyJwt: true, entrypoint: "" },
      { name: "open", enabled: true, verifyJwt: false, entrypoint: "" },
      { name: "broken", enabled: true, verifyJwt: false, entrypoint: "" },
      { name: "off", enabled: false, verifyJwt: false, entrypoint: "" },
    ],
    functionsDir: "/nowhere",
    jwtSecret: SECRET,
    load: (spec) =>
      spec.name === "broken"
        ? Promise.reject(new Error("syntax"))
        : Promise.resolve(fakeApp(spec.name)),
    log: (line) => lines.push(line),
  });
}

const get = (path: string, headers: Record<string, string> = {}) =>
  new Request(`http://127.0.0.1:54321${path}`, { headers });

Deno.test("createGateway()", async (t) => {
  const handle = gateway();
  const valid = await signJwt({ role: "service_role", exp: 4102444800 }, SECRET);

  await t.step("routes /functions/v1/<name>/rest to the app as /<name>/rest", async () => {
    const res = await handle(get("/functions/v1/open/echo/a/b?q=1"));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { path: "/open/echo/a/b", q: "1" });
  });
  await t.step("verify_jwt: a valid token passes", async () => {
    const res = await handle(
      get("/functions/v1/secure/health", { authorization: `Bearer ${valid}` }),
    );
    assert.equal(res.status, 200);
  });
  for (
    const [label, header, message] of [
      ["missing", undefined, /Missing authorization header/],
      ["not bearer", "Basic abc", /not a Bearer token/],
      ["malformed", "Bearer not-a-jwt", /three dot-separated parts/],
      ["badly signed", `Bearer ${await signJwt({ role: "anon" }, "x".repeat(40))}`, /signature/],
      ["expired", `Bearer ${await signJwt({ role: "anon", exp: 1 }, SECRET)}`, /expired/],
    ] as const
  ) {
    await t.step(`verify_jwt: ${label} token gives 401 JSON`, async () => {
      const res = await handle(
        get("/functions/v1/secure/health", header ? { authorization: header } : {}),
      );
      assert.equal(res.status, 401);
      const body = await res.json();
      assert.equal(body.error.code, "unauthorized");
      assert.match(body.error.message, message);
    });
  }
  await t.step("verify_jwt = false lets requests through without a token", async () => {
    assert.equal((await handle(get("/functions/v1/open/health"))).status, 200);
  });
  await t.step("unknown or disabled function gives 404 JSON", async () => {
    for (const path of ["/functions/v1/nope/health", "/functions/v1/off/health", "/elsewhere"]) {
      const res = await handle(get(path));
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error.code, "not_found");
    }
  });
  await t.step(
    "a throwing function gives 500 JSON, is logged, and others keep serving",
    async () => {
      const lines: string[] = [];
      const h = gateway(lines);
      const res = await h(get("/functions/v1/open/boom"));
      assert.equal(res.status, 500);
      assert.equal((await res.json()).error.code, "function_error");
      assert.ok(lines.some((l) => l.includes("open threw") && l.includes("boom")));
      assert.equal((await h(get("/functions/v1/open/health"))).status, 200);
    },
  );
  await t.step("a function that cannot boot gives 503 JSON; the others still serve", async () => {
    const res = await handle(get("/functions/v1/broken/health"));
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "boot_error");
    assert.equal((await handle(get("/functions/v1/open/health"))).status, 200);
  });
});
