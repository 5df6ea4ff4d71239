/**
 * Request dispatcher: admin routes under /__sim, data-centre prefixes (/dc/{name}), fault
 * injection around every call, the request log, and the Zoho error envelope.
 */
import { Hono } from "hono";
import { DATA_CENTRES, type DataCentre } from "./sim/config.ts";
import { internalError, invalidUrl, ZohoError } from "./sim/errors.ts";
import { jsonResponse } from "./sim/json.ts";
import type { SimState } from "./sim/state.ts";
import { adminRoutes } from "./routes/admin.ts";
import { crmApp } from "./routes/crm_app.ts";
import type { SimEnv } from "./routes/env.ts";
import { oauthRoutes } from "./routes/oauth_routes.ts";
import type { FaultRule } from "./sim/faults.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function statusFault(rule: FaultRule): Response {
  const code = rule.code ??
    (rule.status === 429
      ? "TOO_MANY_REQUESTS"
      : rule.status >= 500
      ? "INTERNAL_ERROR"
      : "INVALID_DATA");
  const message = rule.status === 429
    ? "too many requests"
    : rule.status >= 500
    ? "Internal Server Error"
    : "invalid data";
  return jsonResponse(new ZohoError(rule.status, code, message).body(), rule.status);
}

/** Body cut in half: the client sees invalid JSON with a normal status. */
async function truncate(res: Response): Promise<Response> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return new Response(bytes.slice(0, Math.max(1, Math.floor(bytes.length / 2))), {
    status: res.status,
    headers,
  });
}

/** Sends the first bytes, then breaks the stream so the client's read fails mid-body. */
async function drop(res: Response): Promise<Response> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const body = new ReadableStream<Uint8Array>({
    start(ctrl) {
      ctrl.enqueue(bytes.slice(0, Math.floor(bytes.length / 3)));
      ctrl.error(new Error("connection dropped by fault injection"));
    },
  });
  return new Response(body, {
    status: res.status,
    headers: { "content-type": res.headers.get("content-type") ?? "" },
  });
}

/** Builds the fetch handler of a simulator. */
export function createHandler(state: SimState): (req: Request) => Promise<Response> {
  const app = new Hono<SimEnv>();
  app.route("/", oauthRoutes(state));
  app.route("/crm", crmApp(state));
  app.notFound(() => jsonResponse(invalidUrl().body(), 404));
  app.onError((err, c) => {
    const e = err instanceof ZohoError ? err : internalError();
    c.env.entry.code = e.code;
    return jsonResponse(e.body(), e.status);
  });
  const admin = adminRoutes(state);

  return async (req) => withDate(state, await dispatch(req));

  async function dispatch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/__sim")) return await admin.fetch(req);
    let dc: DataCentre = "us";
    let rest = url.pathname;
    const m = /^\/dc\/([a-z]+)(\/.*)?$/.exec(url.pathname);
    if (m) {
      if (!DATA_CENTRES.includes(m[1] as DataCentre)) return jsonResponse(invalidUrl().body(), 404);
      dc = m[1] as DataCentre;
      rest = m[2] ?? "/";
    }
    const entry = state.log.begin(state.clock.now(), req.method, url.pathname, url.search, dc);
    const fired = state.faults.match(req.method, url.pathname, url.search);
    entry.faults = fired.map((f) => f.kind === "status" ? `status:${f.status}` : f.kind);
    let res: Response;
    const status = fired.find((f) => f.kind === "status");
    if (status) {
      res = statusFault(status);
      entry.code = status.code ?? (status.status === 429 ? "TOO_MANY_REQUESTS" : "INTERNAL_ERROR");
    } else {
      const delayMs = fired.filter((f) => f.kind === "slow").reduce((sum, f) => sum + f.delayMs, 0);
      // CRM calls sleep inside the concurrency gate (they are in flight); others sleep here.
      if (delayMs > 0 && !rest.startsWith("/crm")) await sleep(delayMs);
      // Built without the original signal: copying it trips Deno's legacy-abort warning.
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const inner = new Request(new URL(rest + url.search, url.origin), {
        method: req.method,
        headers: req.headers,
        body: hasBody ? await req.arrayBuffer() : undefined,
      });
      res = await app.fetch(inner, { dc, entry, delayMs: rest.startsWith("/crm") ? delayMs : 0 });
    }
    if (fired.some((f) => f.kind === "truncate")) res = await truncate(res);
    if (fired.some((f) => f.kind === "drop")) res = await drop(res);
    entry.status = res.status;
    return res;
  }
}

/** The HTTP Date header from the simulator clock (the server would otherwise send real time). */
function withDate(state: SimState, res: Response): Response {
  const date = new Date(Math.floor(state.clock.now()) * 1000).toUTCString();
  try {
    res.headers.set("date", date);
    return res;
  } catch {
    // Immutable headers: copy the response.
    const headers = new Headers(res.headers);
    headers.set("date", date);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}
