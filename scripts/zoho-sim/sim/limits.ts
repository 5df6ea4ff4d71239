/**
 * API limits: the rolling 24-hour credit ledger (Kaizen #93) and the concurrency and
 * sub-concurrency gates (Kaizen #203). All three answer 429 TOO_MANY_REQUESTS.
 */

import { tooManyRequests } from "./errors.ts";

const DAY = 86400;

/** One charge in the ledger. */
export interface LedgerEntry {
  at: number;
  credits: number;
  method: string;
  path: string;
}

/** Rolling-window credit ledger. */
export class CreditLedger {
  readonly entries: LedgerEntry[] = [];
  #used = 0;

  constructor(public limit: number) {}

  #prune(now: number): void {
    while (this.entries.length > 0 && (this.entries[0] as LedgerEntry).at <= now - DAY) {
      this.#used -= (this.entries.shift() as LedgerEntry).credits;
    }
  }

  /** Credits used in the 24 h before `now`. */
  used(now: number): number {
    this.#prune(now);
    return this.#used;
  }

  remaining(now: number): number {
    return Math.max(0, this.limit - this.used(now));
  }

  /** Charges `credits`; false (and no charge) when the window has too few left. */
  charge(now: number, credits: number, method: string, path: string): boolean {
    if (this.used(now) + credits > this.limit) return false;
    this.entries.push({ at: now, credits, method, path });
    this.#used += credits;
    return true;
  }

  /** Header value once half the window is used: Zoho sends X-API-CREDITS-REMAINING then. */
  header(now: number): string | null {
    return this.used(now) * 2 >= this.limit ? String(this.remaining(now)) : null;
  }

  reset(): void {
    this.entries.length = 0;
    this.#used = 0;
  }
}

/** Counts simultaneous in-flight calls. */
export class Gate {
  active = 0;
  peak = 0;
  constructor(public limit: number) {}

  tryAcquire(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    return true;
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
  }
}

/**
 * Charges `credits` to the ledger for one call and counts them on its log entry, or throws 429
 * TOO_MANY_REQUESTS when the rolling 24 h window is spent.
 */
export function chargeCredits(
  ledger: CreditLedger,
  call: { now: number; method: string; path: string; entry: { credits: number } },
  credits: number,
): void {
  if (!ledger.charge(call.now, credits, call.method, call.path)) {
    throw tooManyRequests("the API credits for the 24 hour period are exhausted");
  }
  call.entry.credits += credits;
}
