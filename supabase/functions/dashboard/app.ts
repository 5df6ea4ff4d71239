/**
 * The `dashboard` function: `GET /dashboard?period=&source=` renders the executive dashboard
 * (server-side SVG charts, a data table behind each) for the service_role key or a session
 * opened by a signed link (`?to=&exp=&sig=`, see _shared/dashboard/link.ts); `app.css` and
 * `app.js` are served from here too. Anything else gets a 401 page.
 */
import type { Context } from "hono";
import { checkAccess, REFUSAL_TEXT, sessionCookie } from "../_shared/dashboard/access.ts";
import { APP_CSS, APP_JS } from "../_shared/dashboard/assets.ts";
import { FilterSchema, loadPageData } from "../_shared/dashboard/data.ts";
import {
  csrfToken,
  dashboardSecret,
  sessionToken,
  verifyDashboardLink,
} from "../_shared/dashboard/link.ts";
import {
  REFRESH_CONTROL,
  renderEmptyPage,
  renderPage,
  renderUnauthorizedPage,
} from "../_shared/dashboard/page.ts";
import { addRefreshRoutes } from "./refresh.ts";
import { getSql } from "../_shared/db.ts";
import { DB_ENV, parseEnv } from "../_shared/env.ts";
import { createFunctionApp } from "../_shared/http/app.ts";

/** Dependencies; tests pass their own environment and clock. */
export interface DashboardDeps {
  env?: () => Record<string, string | undefined>;
  now?: () => Date;
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self' " +
    "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
    "base-uri 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

function unauthorized(c: Context, reason: string) {
  return c.html(renderUnauthorizedPage(reason), 401, SECURITY_HEADERS);
}

/** Builds the app; tests call `createApp().request(...)` in process. */
export function createApp(deps: DashboardDeps = {}) {
  const env = deps.env ?? (() => Deno.env.toObject());
  const now = deps.now ?? (() => new Date());
  const app = createFunctionApp("dashboard", { databaseUrl: () => env().SUPABASE_DB_URL });

  app.get("/", async (c) => {
    const e = env();
    const secret = dashboardSecret(e);
    const url = new URL(c.req.url);
    if (url.searchParams.has("sig") || url.searchParams.has("to") || url.searchParams.has("exp")) {
      const grant = await verifyDashboardLink(url.searchParams, secret, now());
      if (typeof grant === "string") return unauthorized(c, REFUSAL_TEXT[grant]);
      const rest = new URLSearchParams(url.searchParams);
      for (const k of ["to", "exp", "sig"]) rest.delete(k);
      const cookie = sessionCookie(await sessionToken(grant, secret), { grant, now: now() });
      return c.body(null, 303, {
        ...SECURITY_HEADERS,
        location: `dashboard${rest.size ? `?${rest}` : ""}`,
        "set-cookie": cookie,
      });
    }
    const access = await checkAccess(c.req.raw.headers, { env: e, secret, now: now() });
    if (access.kind === "refused") return unauthorized(c, REFUSAL_TEXT[access.reason]);
    const filter = FilterSchema.parse({
      period: url.searchParams.get("period") || undefined,
      source: url.searchParams.get("source") || undefined,
    });
    const csrf = access.kind === "session" ? await csrfToken(access.token, secret) : undefined;
    const { SUPABASE_DB_URL } = parseEnv(DB_ENV, e);
    const data = await loadPageData(getSql(SUPABASE_DB_URL), filter);
    const options = {
      zohoWebUrl: e.ZOHO_CRM_WEB_URL || "https://crm.zoho.com/crm",
      csrf,
      extra: csrf ? REFRESH_CONTROL : undefined,
    };
    const html = data ? renderPage(data, options) : renderEmptyPage(options);
    return c.html(html, 200, SECURITY_HEADERS);
  });

  const asset = (body: string, type: string) => async (c: Context) => {
    const e = env();
    const access = await checkAccess(c.req.raw.headers, {
      env: e,
      secret: dashboardSecret(e),
      now: now(),
    });
    if (access.kind === "refused") return unauthorized(c, REFUSAL_TEXT[access.reason]);
    return c.body(body, 200, {
      ...SECURITY_HEADERS,
      "cache-control": "private, max-age=300",
      "content-type": type,
    });
  };
  addRefreshRoutes(app, { env, now });
  app.get("/app.css", asset(APP_CSS, "text/css; charset=utf-8"));
  app.get("/app.js", asset(APP_JS, "text/javascript; charset=utf-8"));
  return app;
}
