/**
 * The CRM API of one data centre: authentication, concurrency gates, credit charging and the
 * /crm/v7 and /crm/bulk/v7 routes.
 */
import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import { authenticationFailure, invalidToken, invalidUrl, ZohoError } from "../sim/errors.ts";
import { chargeCredits } from "../sim/limits.ts";
import type { SimState } from "../sim/state.ts";
import { bulkRoutes } from "./bulk_routes.ts";
import { coqlRoute } from "./coql_route.ts";
import { listDeleted } from "./deleted.ts";
import type { SimEnv } from "./env.ts";
import { recordModule } from "./guards.ts";
import { metadataRoutes } from "./metadata.ts";
import { orgRoutes } from "./org.ts";
import { countRecords, getRecord, listRecords } from "./records.ts";
import { relatedList } from "./related.ts";

/** Heavy APIs share the sub-concurrency gate of 10 (Kaizen #203). */
function isHeavy(method: string, path: string, query: URLSearchParams): boolean {
  if (path.endsWith("/coql") || path.includes("/search")) return true;
  return method === "GET" && (query.has("sort_by") || query.has("cvid"));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function guard(state: SimState): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const m = /^(Zoho-oauthtoken|Bearer)\s+(\S+)$/i.exec(header);
    if (!m || (m[1]?.toLowerCase() === "bearer" && !state.options.behaviour.acceptBearer)) {
      throw authenticationFailure();
    }
    const grant = state.tokens.validate(m[2] as string, c.env.dc, state.clock.now());
    if (!grant) throw invalidToken();
    c.set("grant", grant);
    const url = new URL(c.req.url);
    const heavy = isHeavy(c.req.method, url.pathname, url.searchParams);
    if (!state.gate.tryAcquire()) {
      throw new ZohoError(
        429,
        "TOO_MANY_REQUESTS",
        "concurrency limit of the user for the app is exceeded",
        {
          limit: state.gate.limit,
        },
      );
    }
    let sub = false;
    try {
      if (heavy) {
        if (!state.subGate.tryAcquire()) {
          throw new ZohoError(
            429,
            "TOO_MANY_REQUESTS",
            "sub-concurrency limit of the user for the app is exceeded",
            {
              limit: state.subGate.limit,
            },
          );
        }
        sub = true;
      }
      if (c.env.delayMs > 0) await sleep(c.env.delayMs);
      // COQL charges by LIMIT inside its handler; everything else costs one credit.
      if (!url.pathname.endsWith("/coql")) {
        chargeCredits(state.ledger, {
          now: state.clock.now(),
          method: c.req.method,
          path: url.pathname,
          entry: c.env.entry,
        }, 1);
      }
      await next();
    } finally {
      if (sub) state.subGate.release();
      state.gate.release();
    }
    const remaining = state.ledger.header(state.clock.now());
    if (remaining !== null) c.res.headers.set("X-API-CREDITS-REMAINING", remaining);
  };
}

/** CRM app, mounted at /crm. */
export function crmApp(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.use("*", guard(state));
  app.route("/bulk/v7", bulkRoutes(state));
  const v7 = new Hono<SimEnv>();
  v7.route("/", metadataRoutes(state));
  v7.route("/", orgRoutes(state));
  v7.route("/", coqlRoute(state));
  v7.get(
    "/:module/deleted",
    (c) => listDeleted(state, c, recordModule(state, c, c.req.param("module"))),
  );
  v7.get(
    "/:module/actions/count",
    (c) => countRecords(state, c, recordModule(state, c, c.req.param("module"))),
  );
  v7.get(
    "/:module/:id/:related",
    (c) =>
      relatedList(
        state,
        c,
        recordModule(state, c, c.req.param("module")),
        c.req.param("id"),
        c.req.param("related"),
      ),
  );
  v7.get(
    "/:module/:id",
    (c) => getRecord(state, c, recordModule(state, c, c.req.param("module")), c.req.param("id")),
  );
  v7.get("/:module", (c) => listRecords(state, c, recordModule(state, c, c.req.param("module"))));
  app.route("/v7", v7);
  app.all("*", () => {
    throw invalidUrl();
  });
  return app;
}
