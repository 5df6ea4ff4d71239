/**
 * OAuth state per data centre: registered clients, refresh tokens, access tokens. Refresh grants
 * follow Zoho Accounts: errors answer HTTP 200 with `{"error": ...}`, more than ten tokens in ten
 * minutes per refresh token answers 400 "Access Denied", and the oldest access token is evicted
 * past the active cap.
 */
import { mix } from "../dataset/rng.ts";
import type { DataCentre, DcCredentials } from "./config.ts";

/** An issued access token. */
export interface AccessGrant {
  token: string;
  dc: DataCentre;
  clientId: string;
  refreshToken: string;
  scope: string[];
  expiresAt: number;
}

interface RefreshGrant {
  token: string;
  dc: DataCentre;
  clientId: string;
  scope: string[];
  windowStart: number;
  windowCount: number;
  active: string[];
}

/** Outcome of POST /oauth/v2/token. */
export interface TokenResult {
  status: number;
  body: Record<string, unknown>;
}

export interface TokenLimits {
  refreshPerWindow: number;
  refreshWindowSeconds: number;
  tokenTtlSeconds: number;
  activeTokensPerRefresh: number;
}

/** Splits a Zoho scope string ("A,B" or "A B"). */
export function parseScope(scope: string): string[] {
  return scope.split(/[,\s]+/).filter((s) => s.length > 0);
}

/** Token store shared by every data centre of one simulator. */
export class TokenStore {
  readonly #clients = new Map<string, string>();
  readonly #refresh = new Map<string, RefreshGrant>();
  readonly #access = new Map<string, AccessGrant>();
  #counter = 0;

  constructor(readonly seed: number, readonly limits: TokenLimits) {}

  /** Registers a client and its refresh token in a data centre. */
  register(creds: DcCredentials): void {
    this.#clients.set(`${creds.dc}:${creds.clientId}`, creds.clientSecret);
    this.addRefreshToken(creds.dc, creds.clientId, creds.scope, creds.refreshToken);
  }

  /** Adds a refresh token (e.g. with a narrower scope for a test) and returns it. */
  addRefreshToken(dc: DataCentre, clientId: string, scope: string, token?: string): string {
    const value = token ?? `1000.${this.#hex(32)}.${this.#hex(32)}`;
    this.#refresh.set(value, {
      token: value,
      dc,
      clientId,
      scope: parseScope(scope),
      windowStart: Number.NEGATIVE_INFINITY,
      windowCount: 0,
      active: [],
    });
    return value;
  }

  #hex(length: number): string {
    let out = "";
    while (out.length < length) {
      this.#counter++;
      out += mix((this.seed * 2654435761 + this.#counter * 40503) >>> 0).toString(16).padStart(
        8,
        "0",
      );
    }
    return out.slice(0, length);
  }

  /** Handles grant_type=refresh_token. */
  refresh(
    dc: DataCentre,
    params: { clientId?: string; clientSecret?: string; refreshToken?: string },
    now: number,
    apiDomain: string,
  ): TokenResult {
    const secret = this.#clients.get(`${dc}:${params.clientId ?? ""}`);
    if (secret === undefined || secret !== params.clientSecret) {
      return { status: 200, body: { error: "invalid_client" } };
    }
    const grant = this.#refresh.get(params.refreshToken ?? "");
    if (!grant || grant.dc !== dc || grant.clientId !== params.clientId) {
      return { status: 200, body: { error: "invalid_code" } };
    }
    if (now - grant.windowStart >= this.limits.refreshWindowSeconds) {
      grant.windowStart = now;
      grant.windowCount = 0;
    }
    if (grant.windowCount >= this.limits.refreshPerWindow) {
      // Blocked for the rest of the ten-minute window (Zoho Accounts access-token-expiry page).
      return {
        status: 400,
        body: {
          error_description:
            "You have made too many requests continuously. Please try again after some time.",
          error: "Access Denied",
          status: "failure",
        },
      };
    }
    grant.windowCount++;
    const token = `1000.${this.#hex(32)}.${this.#hex(32)}`;
    this.#access.set(token, {
      token,
      dc,
      clientId: grant.clientId,
      refreshToken: grant.token,
      scope: grant.scope,
      expiresAt: now + this.limits.tokenTtlSeconds,
    });
    grant.active.push(token);
    while (grant.active.length > this.limits.activeTokensPerRefresh) {
      this.#access.delete(grant.active.shift() as string);
    }
    return {
      status: 200,
      body: {
        access_token: token,
        scope: grant.scope.join(" "),
        api_domain: apiDomain,
        token_type: "Bearer",
        expires_in: this.limits.tokenTtlSeconds,
      },
    };
  }

  /** The grant behind an access token if it is valid in `dc` at `now`. */
  validate(token: string, dc: DataCentre, now: number): AccessGrant | null {
    const grant = this.#access.get(token);
    if (!grant || grant.dc !== dc || now >= grant.expiresAt) return null;
    return grant;
  }

  /** Revokes a refresh token and all access tokens issued from it. */
  revoke(token: string): boolean {
    const grant = this.#refresh.get(token);
    if (grant) {
      for (const t of grant.active) this.#access.delete(t);
      this.#refresh.delete(token);
      return true;
    }
    return this.#access.delete(token);
  }

  /** Expires every access token now (or only one). */
  expireAccessTokens(now: number, token?: string): number {
    let n = 0;
    for (const grant of this.#access.values()) {
      if (token === undefined || grant.token === token) {
        grant.expiresAt = Math.min(grant.expiresAt, now);
        n++;
      }
    }
    return n;
  }

  /** Number of live access tokens (for tests). */
  activeCount(now: number): number {
    let n = 0;
    for (const grant of this.#access.values()) if (now < grant.expiresAt) n++;
    return n;
  }
}
