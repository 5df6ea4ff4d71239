/**
 * Zoho OAuth access tokens: refresh-token grant against the data centre's accounts server,
 * the access token stored in `zoho.oauth_tokens` and reused across invocations until it expires,
 * one refresh at a time (an in-process single flight plus a row lock across processes), Zoho's
 * HTTP-200 error bodies (`{"error":"invalid_code"}`) treated as failures, and the refresh
 * throttle (ten access tokens per ten minutes, Zoho Accounts docs) respected before asking.
 */
import type postgres from "postgres";
import { ZohoApiError } from "./errors.ts";
import { withRetry } from "./retry.ts";
import { withDeadline } from "./timeout.ts";

/** What the token store needs to refresh. */
export interface OAuthCredentials {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Overrides the token response's api_domain. */
  apiDomain?: string;
}

/** A usable access token and the API base it belongs to. */
export interface AccessToken {
  accessToken: string;
  apiDomain: string;
  expiresAt: number;
}

/** Options of the store; clock, fetch and sleep are injectable. */
export interface TokenStoreOptions {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Refreshes allowed per ten minutes (Zoho allows ten; keep one spare). */
  maxRefreshes?: number;
}

const TOKEN_PATH = "/oauth/v2/token";
const EARLY_MS = 60_000;
const WINDOW_MS = 10 * 60_000;

/** Hands out access tokens, refreshing when needed. */
export class TokenStore {
  #memo: AccessToken | null = null;
  #inflight: Promise<AccessToken> | null = null;
  #key: Promise<string>;
  #fetch: typeof fetch;
  #now: () => number;
  refreshes = 0;

  constructor(
    readonly sql: postgres.Sql,
    readonly credentials: OAuthCredentials,
    readonly options: TokenStoreOptions = {},
  ) {
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
    this.#key = storeKey(credentials);
  }

  /** A token valid for at least another minute. */
  get(): Promise<AccessToken> {
    if (this.#memo && this.#memo.expiresAt - EARLY_MS > this.#now()) {
      return Promise.resolve(this.#memo);
    }
    if (!this.#inflight) {
      this.#inflight = this.#loadOrRefresh(null).finally(() => (this.#inflight = null));
    }
    return this.#inflight;
  }

  /** Zoho rejected `accessToken` (INVALID_TOKEN): forget it and get another. */
  renew(accessToken: string): Promise<AccessToken> {
    if (this.#memo?.accessToken === accessToken) this.#memo = null;
    if (!this.#inflight) {
      this.#inflight = this.#loadOrRefresh(accessToken).finally(() => (this.#inflight = null));
    }
    return this.#inflight;
  }

  async #loadOrRefresh(rejected: string | null): Promise<AccessToken> {
    const key = await this.#key;
    const token = await this.sql.begin(async (tx) => {
      await tx`insert into zoho.oauth_tokens (key) values (${key}) on conflict do nothing`;
      const [row] = await tx<
        { access_token: string | null; api_domain: string | null; expires_at: Date | null }[]
      >`select access_token, api_domain, expires_at from zoho.oauth_tokens
        where key = ${key} for update`;
      const now = this.#now();
      if (
        row?.access_token && row.api_domain && row.expires_at &&
        row.access_token !== rejected && row.expires_at.getTime() - EARLY_MS > now
      ) {
        return {
          accessToken: row.access_token,
          apiDomain: row.api_domain,
          expiresAt: row.expires_at.getTime(),
        };
      }
      const [log] = await tx<{ recent: number; oldest: Date | null }[]>`
        select count(*)::int as recent, min(t) as oldest
        from zoho.oauth_tokens, unnest(refresh_log) t
        where key = ${key} and t > ${new Date(now - WINDOW_MS)}`;
      const max = this.options.maxRefreshes ?? 9;
      if ((log?.recent ?? 0) >= max) {
        const wait = Math.ceil(((log?.oldest?.getTime() ?? now) + WINDOW_MS - now) / 1000);
        throw new ZohoApiError({
          status: 429,
          method: "POST",
          path: TOKEN_PATH,
          code: "REFRESH_THROTTLED",
          detail: `Cannot refresh Zoho token: ${max} refreshes in ten minutes, next in ${wait} s`,
        });
      }
      const fresh = await withRetry(() => this.#refresh(), {
        sleep: this.options.sleep,
        options: { maxAttempts: 4, baseMs: 500, capMs: 5_000, rateLimitBaseMs: 2_000 },
      });
      this.refreshes++;
      await tx`update zoho.oauth_tokens set
          access_token = ${fresh.accessToken}, api_domain = ${fresh.apiDomain},
          expires_at = ${new Date(fresh.expiresAt)}, updated_at = now(),
          refresh_log = array(select t from unnest(refresh_log) t
                              where t > ${new Date(now - WINDOW_MS)}) || ${new Date(
        now,
      )}::timestamptz
        where key = ${key}`;
      return fresh;
    });
    this.#memo = token;
    return token;
  }

  async #refresh(): Promise<AccessToken> {
    const c = this.credentials;
    // Parameters in the query string, as Zoho documents and Airbyte's auth.py does.
    const params = new URLSearchParams({
      grant_type: "refresh_token",
      client_id: c.clientId,
      client_secret: c.clientSecret,
      refresh_token: c.refreshToken,
    });
    let response: Response;
    let text: string;
    try {
      [response, text] = await withDeadline(20_000, async (signal) => {
        const r = await this.#fetch(`${c.accountsUrl}${TOKEN_PATH}?${params}`, {
          method: "POST",
          signal,
        });
        return [r, await r.text()] as const;
      });
    } catch (error) {
      throw new ZohoApiError({
        status: 0,
        method: "POST",
        path: TOKEN_PATH,
        code: "NETWORK",
        detail: errorName(error),
      });
    }
    let body: Record<string, unknown> | null = null;
    try {
      body = JSON.parse(text);
    } catch { /* a cut-off body: retryable, below */ }
    // Zoho answers bad refresh tokens and wrong data centres with HTTP 200 {"error": ...}.
    if (!response.ok || !body || typeof body.error === "string" || !body.access_token) {
      const code = typeof body?.error === "string" ? body.error : "INVALID_RESPONSE";
      const status = response.ok && !body ? 0 : response.status;
      throw new ZohoApiError({
        status,
        method: "POST",
        path: TOKEN_PATH,
        code,
        detail: `Cannot refresh Zoho token: response status is ${response.status}`,
      });
    }
    // expires_in is occasionally missing (zoho-crm-php issue #9): assume Zoho's one hour.
    const seconds = typeof body.expires_in === "number" ? body.expires_in : 3600;
    const apiDomain = c.apiDomain ?? (typeof body.api_domain === "string" ? body.api_domain : "");
    if (!apiDomain) {
      throw new ZohoApiError({
        status: 200,
        method: "POST",
        path: TOKEN_PATH,
        code: "NO_API_DOMAIN",
        detail: "response has no api_domain",
      });
    }
    return {
      accessToken: String(body.access_token),
      apiDomain: apiDomain.replace(/\/+$/, ""),
      expiresAt: this.#now() + seconds * 1000,
    };
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "error";
}

async function storeKey(c: OAuthCredentials): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${c.accountsUrl}\n${c.clientId}`),
  );
  return Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}
