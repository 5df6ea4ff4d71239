/**
 * The Zoho CRM HTTP client: one request path for every call. It takes a slot from the edition's
 * concurrency gate (and the sub-concurrency gate for heavy calls), charges credits, sends the
 * stored access token as `Zoho-oauthtoken`, renews it once on 401 INVALID_TOKEN, retries 429,
 * 5xx, timeouts, dropped connections and truncated bodies by the retry policy, and throws one
 * typed `ZohoApiError` otherwise. The base URL is the token's api_domain, so the simulator and
 * production share the code. Tokens and query strings never appear in errors.
 */
import { errorCodeOf, ZohoApiError } from "./errors.ts";
import type { Limiter } from "./limits.ts";
import type { AccessToken } from "./oauth.ts";
import { MalformedJsonError } from "./raw_json.ts";
import { type RetryDeps, withRetry } from "./retry.ts";
import { withDeadline } from "./timeout.ts";

/** Something that hands out access tokens (the TokenStore, or a fake in tests). */
export interface TokenSource {
  get(): Promise<AccessToken>;
  renew(rejected: string): Promise<AccessToken>;
}

/** Per-caller counters (a module's audit row). */
export interface CallStats {
  calls: number;
  credits: number;
  errors: string[];
}

/** Options of one call. */
export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Counts against the sub-concurrency gate (sort_by, cvid, COQL, search). */
  heavy?: boolean;
  credits?: number;
  stats?: CallStats;
  method?: string;
  /** A JSON request body (COQL's select_query); sent with Content-Type application/json. */
  json?: unknown;
}

/** A successful answer: status (200, 204, 304), headers, body text and the server's Date. */
export interface ZohoResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Server time from the Date header, ms since epoch, or null. */
  serverTime: number | null;
}

/** Client construction options. */
export interface ZohoClientOptions {
  tokens: TokenSource;
  limiter: Limiter;
  apiVersion?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retry?: RetryDeps;
}

/** Creates a new stats object. */
export function newStats(): CallStats {
  return { calls: 0, credits: 0, errors: [] };
}

/** The client. */
export class ZohoClient {
  #fetch: typeof fetch;

  constructor(readonly options: ZohoClientOptions) {
    this.#fetch = options.fetch ?? fetch;
  }

  /** Calls `path` (under /crm/{version} unless it starts with /crm/) and parses the answer. */
  request<T>(path: string, options: CallOptions & { parse: (r: ZohoResponse) => T }): Promise<T> {
    const retry = this.options.retry ?? {};
    return withRetry(() => this.#attempt(path, options), {
      ...retry,
      onRetry: (error, attempt, delayMs) => {
        options.stats?.errors.push(error instanceof Error ? error.message : String(error));
        retry.onRetry?.(error, attempt, delayMs);
      },
    });
  }

  async #attempt<T>(
    path: string,
    o: CallOptions & { parse: (r: ZohoResponse) => T },
  ): Promise<T> {
    const { limiter } = this.options;
    const method = o.method ?? "GET";
    const release = await limiter.concurrency.acquire();
    const releaseHeavy = o.heavy ? await limiter.heavy.acquire() : () => {};
    try {
      let token = await this.options.tokens.get();
      for (let renewed = false;; renewed = true) {
        limiter.credits.charge(o.credits ?? 1);
        if (o.stats) {
          o.stats.calls++;
          o.stats.credits += o.credits ?? 1;
        }
        const response = await this.#send(path, { ...o, method, token });
        limiter.credits.observeRemaining(response.headers.get("x-api-credits-remaining"));
        if (response.status >= 400) {
          const code = errorCodeOf(response.text)?.code ?? "HTTP_ERROR";
          // An expired or revoked access token: renew once and resend (Zoho: 401 INVALID_TOKEN;
          // HTTP_ERROR when the 401 body was cut off).
          if (
            response.status === 401 && !renewed &&
            (code === "INVALID_TOKEN" || code === "AUTHENTICATION_FAILURE" || code === "HTTP_ERROR")
          ) {
            token = await this.options.tokens.renew(token.accessToken);
            continue;
          }
          throw new ZohoApiError({ status: response.status, method, path, code });
        }
        try {
          return o.parse(response);
        } catch (error) {
          if (error instanceof MalformedJsonError || error instanceof SyntaxError) {
            throw new ZohoApiError({ status: 0, method, path, code: "TRUNCATED_BODY" });
          }
          throw error;
        }
      }
    } finally {
      releaseHeavy();
      release();
    }
  }

  async #send(path: string, o: CallOptions & { method: string; token: AccessToken }) {
    const { method, token } = o;
    const base = path.startsWith("/crm/")
      ? token.apiDomain
      : `${token.apiDomain}/crm/${this.options.apiVersion ?? "v7"}`;
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(o.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    try {
      return await withDeadline(this.options.timeoutMs ?? 30_000, async (signal) => {
        const response = await this.#fetch(url, {
          method,
          headers: {
            ...o.headers,
            ...(o.json === undefined ? {} : { "content-type": "application/json" }),
            authorization: `Zoho-oauthtoken ${token.accessToken}`,
          },
          ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
          signal,
        });
        const text = await response.text();
        const date = response.headers.get("date");
        return {
          status: response.status,
          headers: response.headers,
          text,
          serverTime: date ? Date.parse(date) || null : null,
        };
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      throw new ZohoApiError({
        status: 0,
        method,
        path,
        code: name === "TimeoutError" ? "TIMEOUT" : "NETWORK",
      });
    }
  }
}
