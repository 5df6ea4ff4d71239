/**
 * The number and direction half of the brief check (see check.ts): a stated number matches a
 * number of a cited fact within the rounding the statement shows; a direction word attached to a
 * number signs it, a direction word alone must agree with the cited change of its clause's subject.
 */
import {
  around,
  type DirectionClaim,
  extractDirections,
  extractNumbers,
  type NumberClaim,
  previousPeriodMarked,
} from "./claims.ts";
import type { ClaimVerdict, Section } from "./check_types.ts";
import { kindOk, missKind, numberMatches } from "./check_match.ts";
import { type Fact, factNames, type FactNumber, factNumbers, formatNumber } from "./facts.ts";
import { nameIn } from "./names.ts";

interface Hit {
  fact: Fact;
  num: FactNumber;
}

const KEYWORDS: [RegExp, RegExp][] = [
  [/\brevenue|bookings|won\b/i, /revenue|won/],
  [/\bleads?\b/i, /leads/],
  [/\bpipeline\b/i, /pipeline/],
  [/\bconver/i, /lead_to|conversion|cohort/],
  [/\bwin rate/i, /win_rate/],
  [/\bvelocity|cycle|days to\b/i, /velocity|conversion_days|cycle/],
  [/\bdeal size/i, /deal_size/],
  [/\bresponse/i, /response/],
  [/\bcoverage/i, /coverage/],
];

/** Whether a fact's level moved against a direction word (value vs prev, or its change). */
function movedAgainst(
  fact: Fact,
  { dir, cited }: { dir: DirectionClaim; cited: Fact[] },
): boolean {
  // A level's change may be its own fact: leads.mtd → leads.mtd.growth.
  const related = cited.find((f) => f.id.startsWith(`${fact.id}.`) && changesOf(f).length);
  const change = changesOf(fact)[0] ?? (related && changesOf(related)[0]);
  if (change) return Math.sign(change.value) !== expectedSign(dir, change);
  if (typeof fact.prev !== "number" || typeof fact.value !== "number") return false;
  const kind = factNumbers(fact)[0]!;
  return Math.sign(fact.value - fact.prev) !== expectedSign(dir, kind);
}

function changesOf(fact: Fact): FactNumber[] {
  return factNumbers(fact).filter((n) => n.change);
}

/** Fields that hold a previous period's number (an anomaly's `from` is the week before). */
const PREVIOUS_FIELDS = new Set(["prev", "from"]);

/**
 * How a fact moved, as a signed number: its first change field, else its value minus its `prev`
 * (a source's pipeline "from $0 to $25,911" has no change_pct: a rise from zero has no percent).
 */
function movementOf(fact: Fact): FactNumber | undefined {
  const change = changesOf(fact)[0];
  if (change) return change;
  if (typeof fact.prev !== "number" || typeof fact.value !== "number") return undefined;
  const kind = factNumbers(fact)[0]!;
  return { ...kind, field: "value - prev", value: fact.value - fact.prev, change: true };
}

/** The sign a direction word expects of a change: pace words flip for durations. */
function expectedSign(dir: DirectionClaim, num: FactNumber): 1 | -1 {
  const duration = num.kind === "days" || num.kind === "hours";
  return dir.pace && duration ? (-dir.way as 1 | -1) : dir.way;
}

function show(num: FactNumber, currency: string): string {
  return formatNumber(num.value, num.kind, currency);
}

function attachedNumber(
  text: string,
  { dir, numbers }: { dir: DirectionClaim; numbers: NumberClaim[] },
): NumberClaim | undefined {
  const end = dir.index + dir.text.length;
  const gap = (a: number, b: number) => text.slice(a, b);
  const after = numbers.find((n) =>
    n.index >= end && n.index - end <= 25 && !/[.;:!?]/.test(gap(end, n.index))
  );
  if (after) return after;
  return [...numbers].reverse().find((n) =>
    n.index + n.text.length <= dir.index && dir.index - (n.index + n.text.length) <= 15 &&
    !/[.;:!?,]/.test(gap(n.index + n.text.length, dir.index))
  );
}

/** "Revenue up 45%": the clause of a direction word and its number, or the two alone. */
function directionLabel(
  text: string,
  { dir, n }: { dir: DirectionClaim; n: NumberClaim },
): string {
  const { clause } = around(text, dir.index);
  if (clause.length <= 80) return clause;
  const start = Math.min(dir.index, n.index);
  return text.slice(start, Math.max(dir.index + dir.text.length, n.index + n.text.length));
}

/** Verdicts on the numbers and directions of a section (`masked`: names blanked out). */
export function checkNumbers(
  s: Section,
  { masked, cited, currency }: { masked: string; cited: Fact[]; currency: string },
): ClaimVerdict[] {
  const out: ClaimVerdict[] = [];
  const numbers = extractNumbers(masked);
  const directions = extractDirections(masked);
  const wayOf = new Map<NumberClaim, DirectionClaim>();
  for (const d of directions) {
    const n = attachedNumber(masked, { dir: d, numbers });
    if (n && !wayOf.has(n) && n.kind !== "multiplier") wayOf.set(n, d);
  }
  const hitsOf = new Map<NumberClaim, Hit[]>();
  for (const n of numbers) {
    const dir = wayOf.get(n);
    const hits: Hit[] = [];
    for (const fact of cited) {
      for (const num of factNumbers(fact)) {
        const way = dir && num.change ? expectedSign(dir, num) : undefined;
        if (numberMatches(n, num, way)) hits.push({ fact, num });
      }
    }
    hitsOf.set(n, hits);
    const label = dir ? directionLabel(s.text, { dir, n }) : n.text;
    const wrongWay = dir
      ? hits.filter((h) => !h.num.change && movedAgainst(h.fact, { dir, cited }))
      : [];
    if (hits.length && wrongWay.length === hits.length) {
      const f = wrongWay[0]!.fact;
      out.push({
        section: s.section,
        kind: "direction",
        claim: label,
        ok: false,
        reason: `"${dir!.text}" disagrees with how ${f.id} moved (${
          typeof f.prev === "number"
            ? `from ${show({ ...wrongWay[0]!.num, value: f.prev }, currency)} to ${
              show(wrongWay[0]!.num, currency)
            }`
            : "see its change fact"
        })`,
        facts: [f.id],
        error: "flipped_direction",
      });
      continue;
    }
    if (
      hits.length && hits.every((h) => PREVIOUS_FIELDS.has(h.num.field)) &&
      !previousPeriodMarked(masked, n.index)
    ) {
      const h = hits[0]!;
      out.push({
        section: s.section,
        kind: "number",
        claim: label,
        ok: false,
        reason: `"${n.text}" is ${h.fact.id} ${h.num.field}, the previous period's number, ` +
          `stated as the current one (${h.fact.id} is ${show(factNumbers(h.fact)[0]!, currency)})`,
        facts: [h.fact.id],
        error: "wrong_period",
      });
      continue;
    }
    if (hits.length) {
      out.push({
        section: s.section,
        kind: "number",
        claim: label,
        ok: true,
        reason: `matches ${hits[0]!.fact.id} ${hits[0]!.num.field}`,
        facts: [...new Set(hits.map((h) => h.fact.id))],
      });
      continue;
    }
    const opposite = dir
      ? cited.flatMap((f) => changesOf(f).map((num) => ({ fact: f, num })))
        .find((h) => numberMatches(n, h.num, (-expectedSign(dir, h.num)) as 1 | -1))
      : undefined;
    const near = cited.flatMap((f) =>
      factNumbers(f).filter((num) => kindOk(n, num)).map((num) =>
        `${f.id} ${num.field} is ${show(num, currency)}`
      )
    ).slice(0, 3);
    out.push({
      section: s.section,
      kind: opposite ? "direction" : "number",
      claim: label,
      ok: false,
      reason: opposite
        ? `"${label}" points the wrong way: ${opposite.fact.id} ${opposite.num.field} is ${
          show(opposite.num, currency)
        }`
        : `"${n.text}" matches no number of the cited facts` +
          (near.length ? ` (${near.join("; ")})` : " (no cited fact has a number of that kind)"),
      facts: opposite ? [opposite.fact.id] : [],
      error: opposite ? "flipped_direction" : missKind(n, cited),
    });
  }
  for (const d of directions) {
    const attached = [...wayOf].find(([, dir]) => dir === d)?.[0];
    if (attached) continue; // judged with its number above
    out.push(checkDirection(s, d, { cited, currency }));
  }
  return out;
}

function checkDirection(
  s: Section,
  d: DirectionClaim,
  { cited, currency }: { cited: Fact[]; currency: string },
): ClaimVerdict {
  const { clause } = around(s.text, d.index);
  const withChange = cited.filter((f) => movementOf(f));
  let candidates = withChange.filter((f) => factNames(f).some((n) => nameIn(n, [clause])));
  if (!candidates.length) {
    const keys = KEYWORDS.filter(([word]) => word.test(clause)).map(([, id]) => id);
    candidates = withChange.filter((f) => keys.some((k) => k.test(f.id)));
  }
  if (!candidates.length) candidates = withChange;
  const claim = clause.length > 80 ? d.text : clause;
  if (!candidates.length) {
    return {
      section: s.section,
      kind: "direction",
      claim,
      ok: false,
      reason: `"${d.text}" cites no fact with a change to agree with`,
      facts: [],
      error: "flipped_direction",
    };
  }
  const agree = candidates.filter((f) => {
    const moves = changesOf(f).length ? changesOf(f) : [movementOf(f)!];
    return moves.some((num) => Math.sign(num.value) === expectedSign(d, num));
  });
  if (agree.length) {
    return {
      section: s.section,
      kind: "direction",
      claim,
      ok: true,
      reason: `agrees with ${agree[0]!.id}`,
      facts: agree.map((f) => f.id),
    };
  }
  const first = candidates[0]!;
  const num = movementOf(first)!;
  return {
    section: s.section,
    kind: "direction",
    claim,
    ok: false,
    reason: `"${d.text}" disagrees with ${first.id} ${num.field} ${show(num, currency)}`,
    facts: candidates.map((f) => f.id),
    error: "flipped_direction",
  };
}
