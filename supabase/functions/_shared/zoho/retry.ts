/**
 * Retry policy as a pure function: given the attempt number and what went wrong, decide whether
 * to retry and how long to wait. 429 (Zoho sends no Retry-After for credit, concurrency and
 * sub-concurrency limits), 5xx, timeouts, dropped connections and truncated bodies retry with
 * capped exponential backoff and full jitter; 4xx answers do not. Clock and randomness are
 * injected, so tests never wait.
 */
import { ZohoApiError } from "./errors.ts";

/** Tunables of the policy. */
export interface RetryOptions {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  /** Longer floor for 429s: Zoho's limits free up in seconds, not milliseconds. */
  rateLimitBaseMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 8,
  baseMs: 250,
  capMs: 20_000,
  rateLimitBaseMs: 1_000,
};

/** The decision for one failure. */
export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/** Whether an error is worth retrying at all (independent of the attempt count). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ZohoApiError) {
    if (error.status === 0) return true; // network error, timeout, truncated body
    if (error.status === 429 || error.status >= 500) return true;
    // Token endpoint throttle: HTTP 400 {"error":"Access Denied"} (singer tap RETRYABLE_ERRORS).
    return error.code === "Access Denied";
  }
  return error instanceof TypeError || (error instanceof DOMException &&
    (error.name === "TimeoutError" || error.name === "AbortError"));
}

/** Decides whether attempt `attempt` (1-based, the one that just failed) should be retried. */
export function decideRetry(
  error: unknown,
  attempt: number,
  { options = DEFAULT_RETRY, random = Math.random }: {
    options?: RetryOptions;
    /** Jitter in [0, 1) (tests pin it). */
    random?: () => number;
  } = {},
): RetryDecision {
  if (attempt >= options.maxAttempts || !isRetryable(error)) return { retry: false };
  const limited = error instanceof ZohoApiError &&
    (error.status === 429 || error.code === "Access Denied");
  const base = limited ? options.rateLimitBaseMs : options.baseMs;
  const ceiling = Math.min(options.capMs, base * 2 ** (attempt - 1));
  // Full jitter (AWS architecture blog): spread retries of concurrent callers over [base/2, ceiling].
  const delayMs = Math.round(base / 2 + random() * Math.max(0, ceiling - base / 2));
  return { retry: true, delayMs };
}

/** Dependencies of `withRetry`, injectable in tests. */
export interface RetryDeps {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  options?: RetryOptions;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it succeeds or the policy gives up; rethrows the last error. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, deps: RetryDeps = {}) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1;; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const decision = decideRetry(error, attempt, { options: deps.options, random: deps.random });
      if (!decision.retry) throw error;
      deps.onRetry?.(error, attempt, decision.delayMs);
      await sleep(decision.delayMs);
    }
  }
}
