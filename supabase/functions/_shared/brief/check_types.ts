/** The brief check's verdicts: what a text is checked as, and what each claim is found to be. */

/** A piece of text and the fact ids it rests on. */
export interface Section {
  section: string;
  text: string;
  facts: string[];
}

/**
 * What kind of error a failed claim is (the planted-error corpus uses the same names):
 * a unit swap is a number of a cited fact stated in another unit ("$662" for 662%); a loose
 * multiplier restates a ratio or change outside its rounding ("2x" for +50%); a wrong period
 * states a previous period's number (`prev`, `from`) as the current one.
 */
export type CheckError =
  | "wrong_number"
  | "unit_swap"
  | "loose_multiplier"
  | "wrong_period"
  | "flipped_direction"
  | "null_fact"
  | "invented_name"
  | "uncited_name"
  | "unknown_fact";

/** The verdict on one claim; a failed one names its `error` kind. */
export interface ClaimVerdict {
  section: string;
  kind: "number" | "direction" | "name" | "citation";
  claim: string;
  ok: boolean;
  reason: string;
  facts: string[];
  error?: CheckError;
}

/** The verdict on a whole text: ok only when every claim is. */
export interface CheckResult {
  ok: boolean;
  failed: number;
  claims: ClaimVerdict[];
}
