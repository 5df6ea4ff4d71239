/**
 * The check on a corpus of model-like replies: every planted error is caught (in the part it was
 * planted in), no correct reply is rejected. Prints both rates.
 */
import assert from "node:assert/strict";
import { checkSections, draftSections } from "./check.ts";
import { PayloadSchema } from "./facts.ts";
import { BASE, CORPUS, variant } from "./testdata/corpus.ts";

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
  for (const entry of CORPUS) {
    const result = checkSections(draftSections(variant(entry)), payload);
    const section = typeof entry.part === "number" ? `insights[${entry.part}]` : entry.part;
    const failedHere = result.claims.filter((c) => !c.ok && c.section === section);
    if (entry.kind === "correct" && !result.ok) {
      rejected.push(`${entry.text} → ${result.claims.filter((c) => !c.ok).map((c) => c.reason)}`);
    }
    if (entry.kind !== "correct" && failedHere.length === 0) missed.push(entry.text);
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
});
