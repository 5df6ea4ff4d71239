/**
 * `deno task ask:train`: trains the matcher's learned classifier (supabase/functions/_shared/ask/
 * classifier.ts) on the tune half of the eval questions (never the held-out half) and writes its
 * weights to classifier_weights.json. Run it after changing the lexicon, the matcher or the tune
 * half: classifier_test.ts fails while the committed weights differ from a fresh training.
 */
import { trainOnTune } from "../../supabase/functions/_shared/ask/classifier_train.ts";

const out = new URL(
  "../../supabase/functions/_shared/ask/classifier_weights.json",
  import.meta.url,
);
const weights = trainOnTune();
await Deno.writeTextFile(out, JSON.stringify(weights) + "\n");
console.log(`${Object.keys(weights).length} features written to ${out.pathname}`);
