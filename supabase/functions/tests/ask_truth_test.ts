/**
 * Every intent of the registry has an independent truth: it belongs to a family of FAMILIES
 * (_ask_truth_cases.ts), whose test ask_truth_<family>_test.ts asks its cases on the demo company
 * and fails unless each of its intents has one (this and the previous period when the intent
 * takes one). An intent in no family fails here, so a new intent needs a truth; a new family is
 * its test file plus its line in FAMILIES.
 */
import assert from "node:assert/strict";
import { INTENTS } from "../_shared/ask/intents.ts";
import { FAMILIES } from "./_ask_truth_cases.ts";

Deno.test("every intent of the registry has truth cases in one family's test", async () => {
  const families = Object.entries(FAMILIES).flatMap(([family, names]) =>
    names.map((name) => [name, family] as const)
  );
  const missing = INTENTS.map((i) => i.name).filter((n) => !families.some(([x]) => x === n));
  assert.deepEqual(missing, [], `no truth case for intent ${missing.join(", ")}`);
  const twice = families.filter(([n], i) => families.findIndex(([x]) => x === n) !== i);
  assert.deepEqual(twice, [], "an intent in two families");
  for (const family of Object.keys(FAMILIES)) {
    const file = new URL(`./ask_truth_${family}_test.ts`, import.meta.url);
    const found = await Deno.stat(file).then((s) => s.isFile, () => false);
    assert.ok(found, `family ${family} has no test file ${file.pathname}`);
  }
});
