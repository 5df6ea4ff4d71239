/**
 * Who may see the dashboard: a request with the service_role key (admins, curl), or a browser
 * holding the session cookie a signed link opened. Anything else gets the 401 page.
 */
import { constantTimeEqual, serviceKeys } from "../http/auth.ts";
import { type Grant, type Refusal, SESSION_COOKIE, verifySession } from "./link.ts";

/** The outcome of the access check. */
export type Access =
  | { kind: "service" }
  | { kind: "session"; grant: Grant; token: string }
  | { kind: "refused"; reason: Refusal };

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Checks the bearer key, then the session cookie. */
export async function checkAccess(
  headers: Headers,
  options: { env: Record<string, string | undefined>; secret: string; now: Date },
): Promise<Access> {
  const { env, secret, now } = options;
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer && serviceKeys(env).some((k) => constantTimeEqual(k, bearer))) {
    return { kind: "service" };
  }
  const token = readCookie(headers.get("cookie"), SESSION_COOKIE);
  const result = await verifySession(token, secret, now);
  if (typeof result === "string") return { kind: "refused", reason: result };
  return { kind: "session", grant: result, token: token! };
}

/** The Set-Cookie value of a session (HttpOnly, Secure, SameSite=Lax, until the link expires). */
export function sessionCookie(token: string, options: { grant: Grant; now: Date }): string {
  const { grant, now } = options;
  const maxAge = Math.max(0, grant.expiresAt - Math.floor(now.getTime() / 1000));
  // Lax, not Strict: the link is opened from WhatsApp (another site); Strict would drop the
  // cookie on the redirect that follows. Refresh (POST) also needs the CSRF token.
  return `${SESSION_COOKIE}=${token}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Lax`;
}

/** Human words for a refusal, for the 401 page. */
export const REFUSAL_TEXT: Record<Refusal, string> = {
  missing: "This dashboard opens from a signed link.",
  malformed: "This dashboard link is incomplete.",
  expired: "This dashboard link has expired.",
  bad_signature: "This dashboard link is not valid.",
};
