/**
 * The matching rules of the brief check (check_numbers.ts): which fact numbers a stated number
 * may stand for (its unit), whether it equals one within the rounding it shows (a multiplier
 * within the strict tolerance claims.ts gives it), and, when it equals none, what kind of error
 * it is.
 */
import type { NumberClaim, StatedKind } from "./claims.ts";
import type { CheckError } from "./check_types.ts";
import { type Fact, type FactNumber, factNumbers, type NumberKind } from "./facts.ts";

/** Whether a number stated in this unit may stand for this fact number. */
export function kindOk(claim: NumberClaim, num: FactNumber): boolean {
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
export function numberMatches(claim: NumberClaim, num: FactNumber, way?: 1 | -1): boolean {
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
  if (claim.signed) return Math.abs(num.value - claim.value) <= claim.tolerance + 1e-9;
  expected = num.change ? Math.abs(num.value) : num.value;
  return Math.abs(expected - magnitude) <= claim.tolerance + 1e-9;
}

/** The unit a fact number is stated in when it is stated right. */
const STATED_AS: Record<NumberKind, StatedKind> = {
  pct: "pct",
  currency: "currency",
  count: "plain",
  days: "days",
  hours: "hours",
  ratio: "plain",
};

/** Why a number matched none of the cited facts' numbers (a direction is judged before). */
export function missKind(claim: NumberClaim, cited: Fact[]): CheckError {
  const all = cited.flatMap(factNumbers);
  const sameKind = all.filter((num) => kindOk(claim, num));
  if (claim.kind === "multiplier") return sameKind.length ? "loose_multiplier" : "wrong_number";
  const swapped = all.some((num) =>
    !kindOk(claim, num) && numberMatches({ ...claim, kind: STATED_AS[num.kind] }, num)
  );
  if (swapped) return "unit_swap";
  if (!sameKind.length && cited.some((f) => f.value === null)) return "null_fact";
  return "wrong_number";
}
