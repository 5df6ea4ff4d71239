/**
 * Signed dashboard links and the cookie session they open. A link is the dashboard path with
 * `to` (recipient), `exp` (Unix seconds) and `sig` = HMAC-SHA256 over path, expiry and recipient;
 * the WhatsApp `dashboard` command and `deno task demo` hand them out. Opening one sets a
 * session cookie (same recipient and expiry, its own HMAC) and the page carries a CSRF token
 * derived from that cookie. Keys come from DASHBOARD_LINK_SECRET, else the service_role key;
 * every MAC is domain-separated ("link", "session", "csrf") and compared in constant time.
 */
import { constantTimeEqual } from "../http/auth.ts";

/** The path every link points at (below the functions URL, e.g. `.../functions/v1`). */
export const DASHBOARD_PATH = "/dashboard";
/** Name of the session cookie. */
export const SESSION_COOKIE = "crm_dashboard";
/** Longest link lifetime the signer accepts: 30 days. */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** The signing secret from the environment: DASHBOARD_LINK_SECRET, else the service_role key. */
export function dashboardSecret(env: Record<string, string | undefined>): string {
  const secret = env.DASHBOARD_LINK_SECRET || env.SUPABASE_SERVICE_ROLE_KEY;
  if (!secret || secret.length < 32) {
    throw new Error(
      "Cannot sign dashboard links: set DASHBOARD_LINK_SECRET (32+ characters) or " +
        "SUPABASE_SERVICE_ROLE_KEY",
    );
  }
  return secret;
}

function key(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      {
        name: "HMAC",
        hash: "SHA-256",
      },
      false,
      ["sign"],
    );
    keys.set(secret, k);
  }
  return k;
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** HMAC-SHA256 of `parts` joined by newlines, base64url. */
export async function mac(secret: string, ...parts: string[]): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await key(secret), encoder.encode(parts.join("\n")));
  return base64url(new Uint8Array(sig));
}

/** Who a link or session is for and until when. */
export interface Grant {
  recipient: string;
  expiresAt: number;
}

const RECIPIENT = /^[\w.+@:-]{1,80}$/;

/** Signs a link for `recipient`, valid `ttlSeconds` from `now`; returns the path with query. */
export async function signDashboardLink(
  input: { recipient: string; ttlSeconds: number },
  secret: string,
  now: Date = new Date(),
): Promise<string> {
  if (!RECIPIENT.test(input.recipient)) {
    throw new Error("Cannot sign a dashboard link: recipient must be 1-80 of [A-Za-z0-9_.+@:-]");
  }
  if (!(input.ttlSeconds > 0 && input.ttlSeconds <= MAX_TTL_SECONDS)) {
    throw new Error(`Cannot sign a dashboard link: ttlSeconds must be 1..${MAX_TTL_SECONDS}`);
  }
  const exp = String(Math.floor(now.getTime() / 1000) + Math.floor(input.ttlSeconds));
  const sig = await mac(secret, "link", DASHBOARD_PATH, exp, input.recipient);
  const q = new URLSearchParams({ to: input.recipient, exp, sig });
  return `${DASHBOARD_PATH}?${q}`;
}

/** Why a link or session was refused. */
export type Refusal = "missing" | "malformed" | "expired" | "bad_signature";

/** Checks a link's query (`to`, `exp`, `sig`) for `path`; returns the grant or the refusal. */
export async function verifyDashboardLink(
  query: URLSearchParams,
  secret: string,
  now: Date = new Date(),
): Promise<Grant | Refusal> {
  const to = query.get("to"), exp = query.get("exp"), sig = query.get("sig");
  if (to === null && exp === null && sig === null) return "missing";
  if (!to || !exp || !sig || !RECIPIENT.test(to) || !/^\d{1,12}$/.test(exp)) return "malformed";
  const expected = await mac(secret, "link", DASHBOARD_PATH, exp, to);
  if (!constantTimeEqual(expected, sig)) return "bad_signature";
  if (Number(exp) * 1000 <= now.getTime()) return "expired";
  return { recipient: to, expiresAt: Number(exp) };
}

/** The session cookie's value for a grant: `recipient.expiry.mac`. */
export async function sessionToken(grant: Grant, secret: string): Promise<string> {
  const exp = String(grant.expiresAt);
  return `${grant.recipient}.${exp}.${await mac(secret, "session", grant.recipient, exp)}`;
}

/** Checks a session cookie value; returns the grant or the refusal. */
export async function verifySession(
  token: string | undefined,
  secret: string,
  now: Date = new Date(),
): Promise<Grant | Refusal> {
  if (!token) return "missing";
  const m = /^(.+)\.(\d{1,12})\.([\w-]{43})$/.exec(token);
  if (!m || !RECIPIENT.test(m[1]!)) return "malformed";
  const expected = await mac(secret, "session", m[1]!, m[2]!);
  if (!constantTimeEqual(expected, m[3]!)) return "bad_signature";
  if (Number(m[2]) * 1000 <= now.getTime()) return "expired";
  return { recipient: m[1]!, expiresAt: Number(m[2]) };
}

/** The CSRF token bound to one session cookie value. */
export function csrfToken(session: string, secret: string): Promise<string> {
  return mac(secret, "csrf", session);
}
