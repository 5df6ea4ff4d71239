/**
 * page_token state. Tokens are opaque, bound to the user and the request parameters, expire after
 * 24 h and stop at 100,000 records (get-records v7 doc).
 */
import { mix } from "../dataset/rng.ts";
import type { Cursor } from "../store/ordering.ts";

export interface PageTokenState {
  token: string;
  dc: string;
  user: string;
  module: string;
  bound: Record<string, string>;
  cursor: Cursor | null;
  served: number;
  page: number;
  expiresAt: number;
}

const MAX_TOKENS = 50000;

/** Issued page tokens, oldest evicted past a cap. */
export class PageTokens {
  readonly #tokens = new Map<string, PageTokenState>();
  #counter = 0;
  constructor(readonly seed: number) {}

  issue(state: Omit<PageTokenState, "token">): PageTokenState {
    this.#counter++;
    let token = "";
    for (let n = 0; n < 5; n++) {
      token += mix((this.seed * 31 + this.#counter * 7919 + n * 104729) >>> 0).toString(16)
        .padStart(8, "0");
    }
    const full = { ...state, token };
    this.#tokens.set(token, full);
    if (this.#tokens.size > MAX_TOKENS) {
      this.#tokens.delete(this.#tokens.keys().next().value as string);
    }
    return full;
  }

  /** Ends every issued token's 24 hours now (their next use answers EXPIRED_VALUE). */
  expireAll(): number {
    for (const t of this.#tokens.values()) t.expiresAt = -Infinity;
    return this.#tokens.size;
  }

  get(token: string): PageTokenState | undefined {
    return this.#tokens.get(token);
  }
}
