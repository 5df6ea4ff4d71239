/**
 * The brief check: every number a text states must match a number of a fact it cites, within the
 * rounding the statement shows ("45%" allows 44.5..45.5, "$1.2M" allows ±$50,000); direction words
 * must agree with the sign of the cited change; names must appear in the cited facts; cited ids
 * must exist. Anything else fails, with a reason per claim, so a retry can be told what was wrong
 * and an admin can see why a brief was rejected.
 */
import {
  around,
  type DirectionClaim,
  extractDirections,
  extractNumbers,
  type NumberClaim,
} from "./claims.ts";
import { type Fact, type FactNumber, factNames, factNumbers, formatNumber } from "./facts.ts";
import type { Payload } from "./facts.ts";
import { findKnownNames, findOtherNames, type NameClaim, nameIn } from "./names.ts";

/** A piece of text and the fact ids it rests on. */
export interface Section {
  section: string;
  text: string;
  facts: string[];
}

/** The verdict on one claim. */
export interface ClaimVerdict {
  section: string;
  kind: "number" | "direction" | "name" | "citation";
  claim: string;
  ok: boolean;
  reason: string;
  facts: string[];
}

/** The verdict on a whole text: ok only when every claim is. */
export interface CheckResult {
  ok: boolean;
  failed: number;
  claims: ClaimVerdict[];
}

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

function kindOk(claim: NumberClaim, num: FactNumber): boolean {
  switch (claim.kind) {
    case "pct":
      return num.kind === "pct";
    case "currency":
      return num.kind === "currency";
    case "days":
      return num.kind === "days";
    case "hours":
      return num.kind === "hours";
    case "multiplier":
      return (num.kind === "ratio" && !claim.word) || (num.change && num.kind === "pct");
    default:
      return num.kind !== "pct";
  }
}

/** Whether the stated number equals this fact number within its rounding; `way` signs it. */
function numberMatches(claim: NumberClaim, num: FactNumber, way?: 1 | -1): boolean {
  if (!kindOk(claim, num)) return false;
  if (claim.kind === "multiplier") {
    const m = num.kind === "ratio" ? num.value : 1 + num.value / 100;
    return Math.abs(m - claim.value) <= claim.tolerance + 1e-9;
  }
  const magnitude = Math.abs(claim.value);
  let expected: number;
  if (num.change && (claim.signed || way)) {
    expected = claim.signed ? claim.value : (way ?? 1) * magnitude;
    return Math.abs(num.value - expected) <= claim.tolerance + 1e-9;
  }
  expected = num.change ? Math.abs(num.value) : num.value;
  return Math.abs(expected - magnitude) <= claim.tolerance + 1e-9;
}

function changesOf(fact: Fact): FactNumber[] {
  return factNumbers(fact).filter((n) => n.change);
}

/** The sign a direction word expects of a change: pace words flip for durations. */
function expectedSign(dir: DirectionClaim, num: FactNumber): 1 | -1 {
  const duration = num.kind === "days" || num.kind === "hours";
  return dir.pace && duration ? (-dir.way as 1 | -1) : dir.way;
}

function show(num: FactNumber, currency: string): string {
  return formatNumber(num.value, num.kind, currency);
}

/** Checks sections against the payload; every claim gets a verdict. */
export function checkSections(sections: Section[], payload: Payload): CheckResult {
  const byId = new Map(payload.facts.map((f) => [f.id, f]));
  const allNames = payload.facts.flatMap(factNames);
  const claims: ClaimVerdict[] = [];
  for (const s of sections) {
    const cited = s.facts.map((id) => byId.get(id)).filter((f): f is Fact => !!f);
    for (const id of s.facts) {
      if (!byId.has(id)) {
        claims.push({
          section: s.section,
          kind: "citation",
          claim: id,
          ok: false,
          reason: `fact id "${id}" is not in the payload`,
          facts: [],
        });
      }
    }
    // Names are data: masked before numbers and directions are read, so a deal named
    // "... revenue doubled" states no number (prompt injection cannot plant one).
    const { claims: known, masked } = findKnownNames(s.text, allNames);
    claims.push(...checkNumbers(s, masked, cited, payload.currency));
    claims.push(...checkNames(s, cited, allNames, known, masked));
  }
  const failed = claims.filter((c) => !c.ok).length;
  return { ok: failed === 0, failed, claims };
}

/** Checks free text against the whole payload (or the given fact ids). */
export function checkText(text: string, payload: Payload, facts?: string[]): CheckResult {
  return checkSections(
    [{ section: "text", text, facts: facts ?? payload.facts.map((f) => f.id) }],
    payload,
  );
}

function attachedNumber(
  text: string,
  dir: DirectionClaim,
  numbers: NumberClaim[],
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
function directionLabel(text: string, dir: DirectionClaim, n: NumberClaim): string {
  const { clause } = around(text, dir.index);
  if (clause.length <= 80) return clause;
  const start = Math.min(dir.index, n.index);
  return text.slice(start, Math.max(dir.index + dir.text.length, n.index + n.text.length));
}

function checkNumbers(
  s: Section,
  masked: string,
  cited: Fact[],
  currency: string,
): ClaimVerdict[] {
  const out: ClaimVerdict[] = [];
  const numbers = extractNumbers(masked);
  const directions = extractDirections(masked);
  const wayOf = new Map<NumberClaim, DirectionClaim>();
  for (const d of directions) {
    const n = attachedNumber(masked, d, numbers);
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
    const label = dir ? directionLabel(s.text, dir, n) : n.text;
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
    });
  }
  for (const d of directions) {
    const attached = [...wayOf].find(([, dir]) => dir === d)?.[0];
    if (attached) continue; // judged with its number above
    out.push(checkDirection(s, d, cited, currency));
  }
  return out;
}

function checkDirection(
  s: Section,
  d: DirectionClaim,
  cited: Fact[],
  currency: string,
): ClaimVerdict {
  const { clause } = around(s.text, d.index);
  const withChange = cited.filter((f) => changesOf(f).length > 0);
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
    };
  }
  const agree = candidates.filter((f) =>
    changesOf(f).some((num) => Math.sign(num.value) === expectedSign(d, num))
  );
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
  const num = changesOf(first)[0]!;
  return {
    section: s.section,
    kind: "direction",
    claim,
    ok: false,
    reason: `"${d.text}" disagrees with ${first.id} ${num.field} ${show(num, currency)}`,
    facts: candidates.map((f) => f.id),
  };
}

function checkNames(
  s: Section,
  cited: Fact[],
  allNames: string[],
  known: NameClaim[],
  masked: string,
): ClaimVerdict[] {
  const citedNames = cited.flatMap(factNames);
  const out: ClaimVerdict[] = [];
  for (const c of [...known, ...findOtherNames(masked)].sort((a, b) => a.index - b.index)) {
    const ok = nameIn(c.text, citedNames);
    const elsewhere = !ok && nameIn(c.text, allNames);
    out.push({
      section: s.section,
      kind: "name",
      claim: c.text,
      ok,
      reason: ok
        ? "named in the cited facts"
        : elsewhere
        ? `"${c.text}" is in the payload but not in the facts this text cites`
        : `"${c.text}" is not a source, owner, stage or deal in the facts`,
      facts: cited.filter((f) => nameIn(c.text, factNames(f))).map((f) => f.id),
    });
  }
  return out;
}

/** A brief's parts as sections: headline, critical_gap, immediate_action, insights[i]. */
export function draftSections(draft: {
  headline: Omit<Section, "section">;
  critical_gap: Omit<Section, "section">;
  immediate_action: Omit<Section, "section">;
  insights: Omit<Section, "section">[];
}): Section[] {
  return [
    { section: "headline", ...draft.headline },
    { section: "critical_gap", ...draft.critical_gap },
    { section: "immediate_action", ...draft.immediate_action },
    ...draft.insights.map((p, i) => ({ section: `insights[${i}]`, ...p })),
  ];
}
