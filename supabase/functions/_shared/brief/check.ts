/**
 * The brief check: every number a text states must match a number of a fact it cites, within the
 * rounding the statement shows ("45%" allows 44.5..45.5, "$1.2M" allows ±$50,000); direction words
 * must agree with the sign of the cited change; names must appear in the cited facts; cited ids
 * must exist. Anything else fails, with a reason per claim, so a retry can be told what was wrong
 * and an admin can see why a brief was rejected.
 */
// The verdict types live in check_types.ts (check_numbers.ts and check_match.ts use them too).
import { checkNumbers } from "./check_numbers.ts";
import type { CheckResult, ClaimVerdict, Section } from "./check_types.ts";
export type { CheckError, CheckResult, ClaimVerdict, Section } from "./check_types.ts";
import { type Fact, factNames, type Payload } from "./facts.ts";
import { findKnownNames, findOtherNames, type NameClaim, nameIn } from "./names.ts";

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
          error: "unknown_fact",
        });
      }
    }
    // Names are data: masked before numbers and directions are read, so a deal named
    // "... revenue doubled" states no number (prompt injection cannot plant one).
    // A one-digit name ("4", a source) cannot be told from the number 4: it is a name only
    // where the text cites a fact that carries it, else the digit is a number to check.
    const citedNames = new Set(cited.flatMap(factNames));
    const { claims: known, masked } = findKnownNames(
      s.text,
      allNames.filter((n) => !/^\p{N}$/u.test(n.trim()) || citedNames.has(n)),
    );
    claims.push(...checkNumbers(s, { masked, cited, currency: payload.currency }));
    claims.push(...checkNames(s, { cited, allNames, known, masked }));
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

/** What a section's names are checked against, and the names found in its text. */
interface NameCheck {
  /** Facts the section cites. */
  cited: Fact[];
  /** Every name in the payload. */
  allNames: string[];
  /** Payload names found in the text. */
  known: NameClaim[];
  /** The text with the known names masked. */
  masked: string;
}

function checkNames(
  s: Section,
  { cited, allNames, known, masked }: NameCheck,
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
      ...(ok ? {} : { error: elsewhere ? "uncited_name" as const : "invented_name" as const }),
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
