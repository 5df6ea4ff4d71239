import assert from "node:assert/strict";
import { newStats, ZohoClient } from "./client.ts";
import { ZohoApiError } from "./errors.ts";
import { fakeFetch } from "./fake_fetch.ts";
import { createLimiter, EDITIONS } from "./limits.ts";
import type { AccessToken } from "./oauth.ts";
import { splitListBody } from "./raw_json.ts";

function tokens() {
  let n = 0;
  const renewed: string[] = [];
  const token = (): AccessToken => ({
    accessToken: `tok${n}`,
    apiDomain: "https://api.test",
    expiresAt: Date.now() + 3_600_000,
  });
  return {
    renewed,
    get: () => Promise.resolve(token()),
    renew: (old: string) => (renewed.push(old), n++, Promise.resolve(token())),
  };
}

function client(fetchFn: typeof fetch, t = tokens()) {
  return new ZohoClient({
    tokens: t,
    limiter: createLimiter(EDITIONS.free!),
    fetch: fetchFn,
    retry: { sleep: () => Promise.resolve(), random: () => 0 },
  });
}

const PAGE = { data: [{ id: "1" }], info: { more_records: false } };

Deno.test("ZohoClient.request() retries 500, 429 and a dropped connection, then succeeds", async () => {
  const f = fakeFetch({
    "/crm/v7/Leads": [
      { status: 500, body: { code: "INTERNAL_ERROR", status: "error" } },
      { status: 429, body: { code: "TOO_MANY_REQUESTS", status: "error" } },
      { error: new TypeError("connection reset") },
      { body: '{"data":[{"id":"1"' }, // truncated JSON
      { body: PAGE },
    ],
  });
  const stats = newStats();
  const out = await client(f.fetch).request("/Leads", {
    stats,
    query: { fields: "id" },
    parse: (r) => splitListBody(r.text),
  });
  assert.deepEqual(out.records, ['{"id":"1"}']);
  assert.equal(f.calls.length, 5);
  assert.equal(stats.calls, 5);
  assert.equal(stats.errors.length, 4);
  assert.equal(f.calls[0]!.headers.get("authorization"), "Zoho-oauthtoken tok0");
  assert.equal(new URL(f.calls[0]!.url).searchParams.get("fields"), "id");
});

Deno.test("ZohoClient.request() renews the token once on 401 INVALID_TOKEN", async () => {
  const t = tokens();
  const f = fakeFetch({
    "/crm/v7/Deals": [
      { status: 401, body: { code: "INVALID_TOKEN", message: "invalid oauth token" } },
      { body: PAGE },
    ],
  });
  await client(f.fetch, t).request("/Deals", { parse: (r) => r.status });
  assert.deepEqual(t.renewed, ["tok0"]);
  assert.equal(f.calls[1]!.headers.get("authorization"), "Zoho-oauthtoken tok1");
});

Deno.test("ZohoClient.request() throws ZohoApiError with status, method, path and code", async () => {
  const f = fakeFetch({
    "/crm/v7/Leads": [{
      status: 400,
      body: { code: "LIMIT_EXCEEDED", details: {}, message: "x", status: "error" },
    }],
  });
  const error = await client(f.fetch).request("/Leads", { parse: () => 0 }).catch((e) => e);
  assert.ok(error instanceof ZohoApiError);
  assert.equal(error.message, "GET /Leads (400 LIMIT_EXCEEDED)");
  assert.equal(error.status, 400);
  assert.equal(f.calls.length, 1);
});

Deno.test("ZohoClient.request() passes 304 through without parsing a body", async () => {
  const f = fakeFetch({ "/crm/v7/Leads": [{ status: 304 }] });
  const status = await client(f.fetch).request("/Leads", { parse: (r) => r.status });
  assert.equal(status, 304);
});

Deno.test("ZohoClient.request() aborts a call past timeoutMs and retries it", async () => {
  const signals: (AbortSignal | null | undefined)[] = [];
  let late: ReturnType<typeof setTimeout> | undefined;
  // The first call answers only after 2 s unless aborted; the retry answers at once.
  const fetchFn = ((_input: RequestInfo | URL, init?: RequestInit) => {
    signals.push(init?.signal);
    if (signals.length > 1) return Promise.resolve(Response.json(PAGE));
    return new Promise<Response>((resolve, reject) => {
      late = setTimeout(() => resolve(Response.json({ data: [], info: {} })), 2_000);
      init?.signal?.addEventListener("abort", () => {
        clearTimeout(late);
        reject(init.signal!.reason);
      });
    });
  }) as typeof fetch;
  const c = new ZohoClient({
    tokens: tokens(),
    limiter: createLimiter(EDITIONS.free!),
    fetch: fetchFn,
    timeoutMs: 50,
    retry: { sleep: () => Promise.resolve(), random: () => 0 },
  });
  const stats = newStats();
  const started = Date.now();
  const out = await c.request("/Leads", { stats, parse: (r) => splitListBody(r.text) });
  clearTimeout(late);
  assert.deepEqual(out.records, ['{"id":"1"}'], "the retry's answer, not the late one");
  assert.equal(signals.length, 2);
  assert.ok(signals[0]?.aborted, "the slow call was aborted");
  assert.deepEqual(stats.errors, ["GET /Leads (0 TIMEOUT)"]);
  assert.ok(Date.now() - started < 1_500, "did not wait for the slow answer");
});
