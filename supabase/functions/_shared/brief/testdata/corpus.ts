/**
 * A corpus of model-like replies on the demo payload (demo_payload.json), kept in corpus.json: a
 * correct base brief in a CRO's voice, and variants that replace one part with another sentence,
 * either correct (other roundings, phrasings, multipliers) or carrying one planted error of a
 * kind the check must catch (wrong number, flipped direction, invented or uncited name, unknown
 * fact id, a number for a null fact, a number the model computed itself, a unit swap such as
 * "$662" for 662%, a direction against a fact's previous value, a multiplier outside the rounding
 * of the ratio it restates, last period's number said of this period). Each of the last four has
 * close correct variants beside it, so a check that refuses everything fails too.
 */
import type { Draft } from "../prompt.ts";
import corpus from "./corpus.json" with { type: "json" };

/** One corpus entry: which part is replaced, by what, and whether it is correct. */
export interface CorpusEntry {
  kind:
    | "correct"
    | "wrong_number"
    | "flipped_direction"
    | "invented_name"
    | "uncited_name"
    | "unknown_fact"
    | "null_fact"
    | "computed_number"
    | "unit_swap"
    | "direction_against_prev"
    | "loose_multiplier"
    | "wrong_period";
  part: "headline" | "critical_gap" | "immediate_action" | 0 | 1 | 2;
  text: string;
  facts: string[];
}

/** A correct brief. */
export const BASE: Draft = corpus.base;

/** The variants. */
export const CORPUS = corpus.variants as CorpusEntry[];

/** The base brief with one part replaced by `entry`. */
export function variant(entry: CorpusEntry): Draft {
  const draft: Draft = structuredClone(BASE);
  const part = { text: entry.text, facts: entry.facts };
  if (typeof entry.part === "number") draft.insights[entry.part] = part;
  else draft[entry.part] = part;
  return draft;
}
