/**
 * Fault injection for chaos tests: answer with a status (429, 500, ...), slow down, drop the
 * connection mid-response, or truncate the body. A rule fires on the Nth matching call, on every
 * Nth, at a seeded rate, or always; it may be limited to a path pattern and method.
 */
import { z } from "zod";
import { Rng } from "../dataset/rng.ts";

export const FaultRuleSchema = z.object({
  kind: z.enum(["status", "slow", "drop", "truncate"]),
  status: z.number().int().min(400).max(599).default(500),
  /** Zoho error code for status faults; defaults by status. */
  code: z.string().optional(),
  delayMs: z.number().int().nonnegative().default(0),
  /** Substring of the request path, or a regular expression written as "re:...". */
  path: z.string().optional(),
  /** Substring of the query string (e.g. "page_token=": only calls that continue a chain). */
  query: z.string().optional(),
  method: z.string().optional(),
  /** Fire only on the Nth matching call (1-based). */
  nth: z.number().int().positive().optional(),
  /** Fire on every Nth matching call. */
  every: z.number().int().positive().optional(),
  /** Fire with this probability (seeded, deterministic). */
  rate: z.number().min(0).max(1).optional(),
  /** Stop after firing this many times. */
  times: z.number().int().positive().optional(),
});

export type FaultRuleInput = z.input<typeof FaultRuleSchema>;
export type FaultRule = z.output<typeof FaultRuleSchema> & {
  id: number;
  seen: number;
  fired: number;
};

/** Holds the active rules and decides which fire for a request. */
export class FaultInjector {
  #rules: FaultRule[] = [];
  #next = 1;
  #rng: Rng;

  constructor(seed: number) {
    this.#rng = new Rng(seed ^ 0x5eed);
  }

  /** Adds a rule and returns its id. */
  add(input: FaultRuleInput): number {
    const rule = { ...FaultRuleSchema.parse(input), id: this.#next++, seen: 0, fired: 0 };
    this.#rules.push(rule);
    return rule.id;
  }

  remove(id: number): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length < before;
  }

  clear(): void {
    this.#rules = [];
  }

  list(): readonly FaultRule[] {
    return this.#rules;
  }

  /** Rules that fire for this call; counters advance as a side effect. */
  match(method: string, path: string, query = ""): FaultRule[] {
    const out: FaultRule[] = [];
    for (const rule of this.#rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path && !pathMatches(rule.path, path)) continue;
      if (rule.query && !query.includes(rule.query)) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      rule.seen++;
      let fire = true;
      if (rule.nth !== undefined) fire = rule.seen === rule.nth;
      else if (rule.every !== undefined) fire = rule.seen % rule.every === 0;
      else if (rule.rate !== undefined) fire = this.#rng.next() < rule.rate;
      if (fire) {
        rule.fired++;
        out.push(rule);
      }
    }
    return out;
  }
}

function pathMatches(pattern: string, path: string): boolean {
  return pattern.startsWith("re:")
    ? new RegExp(pattern.slice(3)).test(path)
    : path.includes(pattern);
}
