/**
 * Training data of the learned classifier: the eval's tune half (testdata/eval_questions.json),
 * read by the matcher with the demo company's names. The held-out half is never read here.
 * Used by `deno task ask:train` and classifier_test.ts; not imported by the functions.
 */
import { DATA, VOCAB } from "./eval_score.ts";
import { readMessage } from "./matcher.ts";
import { type Example, features, train, type Weights } from "./classifier.ts";

/** The tune half as training examples ("unknown" for questions no intent answers). */
export function tuneExamples(): Example[] {
  return DATA.tune.map((q) => {
    const reading = readMessage(q.q, VOCAB);
    return { features: reading ? features(reading) : [], label: q.intent ?? "unknown" };
  });
}

/** The weights trained on the tune half. */
export function trainOnTune(): Weights {
  return train(tuneExamples().filter((e) => e.features.length > 0));
}
