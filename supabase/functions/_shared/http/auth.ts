/**
 * Service-role check for admin and pg_cron endpoints. `verify_jwt` proves a token is valid, not
 * whose it is (the anon key passes too), so these endpoints also require the bearer token to be
 * the project's service_role key (legacy JWT) or one of its secret keys, compared in constant time.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./app.ts";

const encoder = new TextEncoder();

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The keys that grant service access, from SUPABASE_SERVICE_ROLE_KEY and SUPABASE_SECRET_KEYS. */
export function serviceKeys(env: Record<string, string | undefined>): string[] {
  const keys: string[] = [];
  if (env.SUPABASE_SERVICE_ROLE_KEY) keys.push(env.SUPABASE_SERVICE_ROLE_KEY);
  if (env.SUPABASE_SECRET_KEYS) {
    try {
      const parsed = JSON.parse(env.SUPABASE_SECRET_KEYS) as Record<string, unknown>;
      for (const v of Object.values(parsed)) if (typeof v === "string") keys.push(v);
    } catch { /* malformed: ignore, the legacy key still works */ }
  }
  return keys;
}

/** Hono middleware: 401 without a bearer token, 403 when it is not a service key. */
export function requireServiceRole(
  env: () => Record<string, string | undefined> = () => Deno.env.toObject(),
): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new HttpError(401, "unauthorized", "Missing bearer token");
    const keys = serviceKeys(env());
    if (keys.length === 0) {
      throw new HttpError(500, "misconfigured", "No service key is configured");
    }
    if (!keys.some((k) => constantTimeEqual(k, token))) {
      throw new HttpError(403, "forbidden", "This endpoint needs the service_role key");
    }
    await next();
  };
}
