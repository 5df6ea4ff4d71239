/**
 * Zoho's API limits as data, and the gates that keep a run inside them: the per-edition
 * concurrency (Kaizen #203: Free 5, Standard 10, Professional 15, Enterprise 20, Ultimate 25),
 * the sub-concurrency of 10 shared by heavy calls (sort_by, cvid, COQL, search), and the daily
 * credit allowance (Kaizen #93; rolling 24 h window).
 */

/** Limits of one Zoho edition. */
export interface EditionLimits {
  concurrency: number;
  subConcurrency: number;
  /** Daily credits before per-user additions (50,000 + users × n on paid editions). */
  dailyCredits: number;
}

/** Zoho CRM editions and their limits. */
export const EDITIONS: Record<string, EditionLimits> = {
  free: { concurrency: 5, subConcurrency: 10, dailyCredits: 5_000 },
  standard: { concurrency: 10, subConcurrency: 10, dailyCredits: 50_000 },
  professional: { concurrency: 15, subConcurrency: 10, dailyCredits: 50_000 },
  enterprise: { concurrency: 20, subConcurrency: 10, dailyCredits: 50_000 },
  ultimate: { concurrency: 25, subConcurrency: 10, dailyCredits: 50_000 },
};

/** A counting semaphore; `acquire()` resolves to the release function. */
export class Semaphore {
  #free: number;
  #waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.#free = size;
  }

  /** Waits for a slot. */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/** Thrown when the run's credit allowance is spent; the run stops as `partial`. */
export class CreditsExhaustedError extends Error {
  override name = "CreditsExhaustedError";
}

/** Counts credits spent in this process against what the day still allows. */
export class CreditMeter {
  used = 0;
  #remaining: number;

  constructor(remaining: number) {
    this.#remaining = remaining;
  }

  /** Reserves `n` credits before a call; throws when the allowance would be exceeded. */
  charge(n: number): void {
    if (this.used + n > this.#remaining) {
      throw new CreditsExhaustedError(
        `Cannot call Zoho: the daily credit allowance is spent (${this.used} used in this run)`,
      );
    }
    this.used += n;
  }

  /** Credits the allowance still holds after what this process spent. */
  get left(): number {
    return this.#remaining - this.used;
  }

  /** Zoho's X-API-CREDITS-REMAINING header (sent once half the day's credits are used). */
  observeRemaining(header: string | null): void {
    const n = header === null ? NaN : Number(header);
    if (Number.isFinite(n)) this.#remaining = Math.min(this.#remaining, this.used + n);
  }
}

/** The gates one sync process shares across modules and segments. */
export interface Limiter {
  concurrency: Semaphore;
  heavy: Semaphore;
  credits: CreditMeter;
}

/** Builds the gates for an edition, optionally overriding concurrency and remaining credits. */
export function createLimiter(
  limits: EditionLimits,
  options: { concurrency?: number; remainingCredits?: number } = {},
): Limiter {
  return {
    concurrency: new Semaphore(options.concurrency ?? limits.concurrency),
    heavy: new Semaphore(limits.subConcurrency),
    credits: new CreditMeter(options.remainingCredits ?? limits.dailyCredits),
  };
}
