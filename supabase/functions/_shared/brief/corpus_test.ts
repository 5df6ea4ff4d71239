/**
 * The check on a corpus of model-like replies: every planted error is caught (in the part it was
 * planted in), no correct reply is rejected. Prints both rates.
 */
import assert from "node:assert/strict";
import { type CheckError, checkSections, draftSections } from "./check.ts";
import { PayloadSchema } from "./facts.ts";
import { BASE, CORPUS, type CorpusEntry, variant } from "./testdata/corpus.ts";

/** The error kind the check's verdict must name for each planted kind. */
const NAMED: Record<Exclude<CorpusEntry["kind"], "correct">, CheckError> = {
  wrong_number: "wrong_number",
  flipped_direction: "flipped_direction",
  invented_name: "invented_name",
  uncited_name: "uncited_name",
  unknown_fact: "unknown_fact",
  null_fact: "null_fact",
  computed_number: "wrong_number",
  unit_swap: "unit_swap",
  direction_against_prev: "flipped_direction",
  loose_multiplier: "loose_multiplier",
  wrong_period: "wrong_period",
};

const payload = PayloadSchema.parse(
  JSON.parse(await Deno.readTextFile(new URL("./testdata/demo_payload.json", import.meta.url))),
);

Deno.test("checkSections() on the reply corpus: every planted error caught, no correct reply rejected", () => {
  const base = checkSections(draftSections(BASE), payload);
  assert.deepEqual(base.claims.filter((c) => !c.ok), [], "the base brief is correct");
  const correct = CORPUS.filter((e) => e.kind === "correct");
  const planted = CORPUS.filter((e) => e.kind !== "correct");
  assert.ok(CORPUS.length >= 60 && correct.length >= 30 && planted.length >= 30);
  const rejected: string[] = [];
  const missed: string[] = [];
  const misnamed: string[] = [];
  for (const entry of CORPUS) {
    const result = checkSections(draftSections(variant(entry)), payload);
    const section = typeof entry.part === "number" ? `insights[${entry.part}]` : entry.part;
    const failedHere = result.claims.filter((c) => !c.ok && c.section === section);
    if (entry.kind === "correct" && !result.ok) {
      rejected.push(`${entry.text} → ${result.claims.filter((c) => !c.ok).map((c) => c.reason)}`);
    }
    if (entry.kind === "correct") continue;
    const named = NAMED[entry.kind];
    if (failedHere.length === 0) missed.push(entry.text);
    else if (!failedHere.some((c) => c.error === named)) {
      misnamed.push(`${entry.kind}: ${entry.text} → ${failedHere.map((c) => c.error)}`);
    }
  }
  const caught = planted.length - missed.length;
  const accepted = correct.length - rejected.length;
  console.log(
    `corpus: ${caught}/${planted.length} planted errors caught (${
      (100 * caught / planted.length).toFixed(1)
    }%), ${accepted}/${correct.length} correct replies accepted (${
      (100 * accepted / correct.length).toFixed(1)
    }%)`,
  );
  assert.deepEqual(missed, [], "planted errors the check missed");
  assert.deepEqual(rejected, [], "correct replies the check rejected");
  assert.deepEqual(misnamed, [], "planted errors whose verdict names another kind");
});

Deno.test("the reply corpus plants each kind the check must catch, beside close correct replies", () => {
  for (const kind of Object.keys(NAMED) as (keyof typeof NAMED)[]) {
    assert.ok(CORPUS.some((e) => e.kind === kind), `no ${kind} variant`);
  }
  for (const kind of ["unit_swap", "direction_against_prev", "loose_multiplier", "wrong_period"]) {
    assert.ok(CORPUS.filter((e) => e.kind === kind).length >= 4, `fewer than 4 ${kind} variants`);
  }
});
