/** Zoho Accounts for each data centre: token refresh, revoke and serverinfo. */
import { Hono } from "hono";
import { DATA_CENTRES } from "../sim/config.ts";
import { jsonResponse } from "../sim/json.ts";
import { dcBase, type SimState } from "../sim/state.ts";
import type { SimEnv } from "./env.ts";

async function params(req: Request): Promise<URLSearchParams> {
  const out = new URL(req.url).searchParams;
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await req.formData();
    for (const [k, v] of form) if (typeof v === "string" && !out.has(k)) out.set(k, v);
  }
  return out;
}

/** Accounts routes (mounted per data centre). */
export function oauthRoutes(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.post("/oauth/v2/token", async (c) => {
    const p = await params(c.req.raw);
    const dc = c.env.dc;
    const grantType = p.get("grant_type");
    if (grantType !== "refresh_token") {
      // Grant codes are not simulated: any code is treated as used or expired.
      return jsonResponse({ error: grantType ? "invalid_code" : "unsupported_grant_type" });
    }
    const result = state.tokens.refresh(
      dc,
      {
        clientId: p.get("client_id") ?? undefined,
        clientSecret: p.get("client_secret") ?? undefined,
        refreshToken: p.get("refresh_token") ?? undefined,
      },
      state.clock.now(),
      dcBase(state, dc),
    );
    return jsonResponse(result.body, result.status);
  });
  app.post("/oauth/v2/token/revoke", async (c) => {
    const p = await params(c.req.raw);
    const ok = state.tokens.revoke(p.get("token") ?? "");
    return jsonResponse(ok ? { status: "success" } : { error: "invalid_token" });
  });
  app.get("/oauth/serverinfo", (c) =>
    c.json({
      result: "success",
      locations: Object.fromEntries(DATA_CENTRES.map((d) => [d, dcBase(state, d)])),
    }));
  return app;
}
