/**
 * Claim extraction for the brief check: every number a text states (percentages, currency in any
 * display form such as "$1.2M" or "1,234,567", counts, days, ratios, "2x", "doubled", "halved",
 * spelled-out counts), every direction word ("up", "fell", "slowing") and every capitalised
 * name-like phrase. Pure text work; check.ts decides which claims the cited facts support.
 */

/** How a number was stated: its unit family. `plain` has no unit and matches any but pct. */
export type StatedKind = "pct" | "currency" | "ratio" | "days" | "hours" | "plain" | "multiplier";

/** A number as stated in the text. */
export interface NumberClaim {
  text: string;
  /** A multiplier word ("doubled"): a change, never a level such as a coverage ratio. */
  word?: boolean;
  index: number;
  value: number;
  /** Half a unit of the last stated digit: the display rounding the statement allows. */
  tolerance: number;
  kind: StatedKind;
  /** Explicit sign in the text ("-12%", "+3"): the number must match a change of that sign. */
  signed: boolean;
}

/** A direction word and which way it points; `pace` words flip for durations (slower = more days). */
export interface DirectionClaim {
  text: string;
  index: number;
  way: 1 | -1;
  pace: boolean;
}

const MAG: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};
const CURRENCY = String.raw`[$€£₹¥]|\b(?:USD|EUR|GBP|INR|JPY|CHF|AUD|CAD)\s?`;
const NUMBER =
  String.raw`(?<![\w.,])([-+−]\s?)?(?:(${CURRENCY}))?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?` +
  String.raw`(?:\s?(k|K|m|M|mn|bn|B|thousand|million|billion)\b)?` +
  String
    .raw`(?:\s?(%|percent\b|per cent\b|pct\b|percentage points?\b|points?\b|pts\b|pp\b|[x×](?![a-z])|days?\b|hours?\b|hrs?\b|dollars\b))?`;
const NUMBER_RE = new RegExp(NUMBER, "g");

const MULTIPLIER_WORDS: Record<string, number> = {
  doubled: 2,
  doubling: 2,
  tripled: 3,
  tripling: 3,
  quadrupled: 4,
  halved: 0.5,
  halving: 0.5,
};
const COUNT_WORDS: Record<string, number> = {
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  twenty: 20,
  thirty: 30,
  fifty: 50,
  hundred: 100,
  dozen: 12,
};

/** Dates, quarters, fact ids and years are periods or references, not claims. */
const NOT_CLAIMS = [
  /\b\d{4}-\d{2}-\d{2}(?:\.\.\d{4}-\d{2}-\d{2})?\b/g,
  /\b\d{4}-\d{2}\b/g,
  /\b[A-Za-z_]+(?:\.[A-Za-z0-9_]+)+\b/g,
  /\bQ[1-4](?:\s+\d{4})?\b/g,
  /\b(?:19|20)\d{2}\b(?!\s?(?:%|percent|x|days?|hours?|leads?|deals?))/g,
  /\b(?:24|twenty-four)[- ]hours?\b/gi, // WhatsApp's window, not a metric
];

/** The text with non-claim spans blanked out (same length, so indexes stay valid). */
export function maskNonClaims(text: string): string {
  let out = text;
  for (const re of NOT_CLAIMS) out = out.replace(re, (m) => " ".repeat(m.length));
  return out;
}

function decimals(s: string | undefined): number {
  return s ? s.length - 1 : 0;
}

/** Every number stated in `text`. */
export function extractNumbers(text: string): NumberClaim[] {
  const masked = maskNonClaims(text);
  const out: NumberClaim[] = [];
  for (const m of masked.matchAll(NUMBER_RE)) {
    const [, sign, cur, int, frac, mag, suffix] = m;
    const base = Number(int!.replaceAll(",", "") + (frac ?? ""));
    const scale = mag ? MAG[mag.toLowerCase()] ?? 1 : 1;
    const unit = (suffix ?? "").toLowerCase();
    let kind: StatedKind = "plain";
    if (cur || unit === "dollars") kind = "currency";
    else if (/^(%|percent|per cent|pct|percentage point|point|pts|pp)/.test(unit)) kind = "pct";
    else if (unit === "x" || unit === "×") kind = "multiplier";
    else if (unit.startsWith("day")) kind = "days";
    else if (unit.startsWith("h")) kind = "hours";
    const negative = !!sign && /[-−]/.test(sign);
    out.push({
      text: m[0].trim(),
      index: m.index!,
      value: (negative ? -1 : 1) * base * scale,
      // "2x" is strict (1.95..2.05): a small multiplier read loosely would pass +50% as 2x.
      tolerance: kind === "multiplier" && base < 10
        ? Math.min(0.05, 0.5 * 10 ** -decimals(frac))
        : 0.5 * 10 ** -decimals(frac) * scale,
      kind,
      signed: !!sign,
    });
  }
  for (const m of masked.matchAll(/\b[A-Za-z]+\b/g)) {
    const word = m[0].toLowerCase();
    if (word in MULTIPLIER_WORDS) {
      out.push({
        text: m[0],
        index: m.index!,
        value: MULTIPLIER_WORDS[word]!,
        tolerance: 0.1 * MULTIPLIER_WORDS[word]!,
        kind: "multiplier",
        signed: false,
        word: true,
      });
    } else if (word in COUNT_WORDS) {
      out.push({
        text: m[0],
        index: m.index!,
        value: COUNT_WORDS[word]!,
        tolerance: 0,
        kind: "plain",
        signed: false,
      });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

const UP = new Set(
  ("up rose rise rises rising grew grow grows growing increased increase increases increasing " +
    "jumped jump jumps climbed climbing surged surging gained gaining higher improved improving " +
    "spiked soared soaring doubled tripled rebounded expanded expanding").split(" "),
);
const DOWN = new Set(
  ("down fell fall falls falling dropped drop drops dropping declined decline declines declining " +
    "decreased decrease decreases decreasing shrank shrinking shrunk lower plunged plunging " +
    "slumped slumping halved weakened weakening contracted contracting sank sinking").split(" "),
);
const SLOWER = new Set("slowed slowing slower slows slowdown lengthened lengthening".split(" "));
const FASTER = new Set("faster accelerated accelerating quicker shortened".split(" "));
/** Phrases where "up"/"down" is no direction ("follow up", "up to", "break down"). */
const NOT_DIRECTION =
  /\b(?:follow(?:ing|ed)?[- ]up|set[- ]up|pick[- ]up|sign[- ]up|speed[- ]up|up[- ]to|break[- ]down|narrow[- ]down|up[- ]front|upfront|wind[- ]down|shut[- ]down|step[- ]up|double[- ]down|lower[- ]funnel|top[- ]down)\b/gi;

/** Every direction word in `text`. */
export function extractDirections(text: string): DirectionClaim[] {
  const masked = text.replace(NOT_DIRECTION, (m) => " ".repeat(m.length));
  const out: DirectionClaim[] = [];
  for (const m of masked.matchAll(/\b[A-Za-z]+\b/g)) {
    const w = m[0].toLowerCase();
    if (UP.has(w)) out.push({ text: m[0], index: m.index!, way: 1, pace: false });
    else if (DOWN.has(w)) out.push({ text: m[0], index: m.index!, way: -1, pace: false });
    else if (SLOWER.has(w)) out.push({ text: m[0], index: m.index!, way: -1, pace: true });
    else if (FASTER.has(w)) out.push({ text: m[0], index: m.index!, way: 1, pace: true });
  }
  return out;
}

/**
 * Words that place a number in an earlier period ("down from 6", "against $25,877 last month",
 * "was 6"): a previous period's number stated without one is said of the current period.
 */
const PREVIOUS_PERIOD =
  /\b(?:from|was|were|had|last|previous|previously|prior|before|ago|after|against|versus|vs|compared|earlier|yesterday)\b/i;

/** Whether the clause around `index` places its number in an earlier period. */
export function previousPeriodMarked(text: string, index: number): boolean {
  return PREVIOUS_PERIOD.test(around(text, index).clause);
}

/** The sentence around `index` (for reasons), and the clause (for subjects). */
export function around(text: string, index: number): { sentence: string; clause: string } {
  const bounds = (re: RegExp) => {
    let start = 0;
    let end = text.length;
    for (const m of text.matchAll(re)) {
      const at = m.index! + m[0].length;
      if (at <= index) start = at;
      else if (m.index! >= index) {
        end = m.index!;
        break;
      }
    }
    return text.slice(start, end).trim();
  };
  return {
    sentence: bounds(/[.!?](?=\s|$)|\n/g),
    clause: bounds(/[.!?;:,](?=\s|$)|\n|\s(?:while|but|whereas|although|though|and|as)\s/g),
  };
}
