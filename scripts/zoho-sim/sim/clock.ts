/** The simulator's clock. Tests move it by hand; a standalone server can let it tick in real time. */

/** A settable clock in epoch seconds. */
export class SimClock {
  #base: number;
  #realStart: number | null;

  constructor(start: number, realTime = false) {
    this.#base = start;
    this.#realStart = realTime ? Date.now() : null;
  }

  /** Current time, whole epoch seconds. */
  now(): number {
    const drift = this.#realStart === null ? 0 : (Date.now() - this.#realStart) / 1000;
    return Math.floor(this.#base + drift);
  }

  /** Moves the clock forward (or back, with a negative value). */
  advance(seconds: number): number {
    this.#base += seconds;
    return this.now();
  }

  /** Sets the clock to an absolute time. */
  set(epochSeconds: number): number {
    this.#base = epochSeconds;
    if (this.#realStart !== null) this.#realStart = Date.now();
    return this.now();
  }
}
