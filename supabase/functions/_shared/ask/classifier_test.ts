import assert from "node:assert/strict";
import { classify, features, scores, train, WEIGHTS } from "./classifier.ts";
import { trainOnTune } from "./classifier_train.ts";
import { matchMessage, readMessage } from "./matcher.ts";
import { VOCAB } from "./eval_score.ts";

Deno.test("the committed weights are a fresh training on the tune half (else: deno task ask:train)", () => {
  // Compared feature by feature, naming the first few that differ: a deep-equal diff of two
  // 6,000-feature objects took more than 20 GB and was killed before it could fail.
  const fresh = trainOnTune() as Record<string, unknown>;
  const committed = WEIGHTS as Record<string, unknown>;
  const names = [...new Set([...Object.keys(committed), ...Object.keys(fresh)])].sort();
  const stale = names.filter((f) => JSON.stringify(committed[f]) !== JSON.stringify(fresh[f]));
  assert.equal(
    stale.length,
    0,
    `${stale.length} of ${names.length} features differ (${stale.slice(0, 5).join(", ")}): ` +
      "run deno task ask:train",
  );
});

Deno.test("train() learns labels from features and generalises to an unseen mix", () => {
  const w = train([
    { features: ["w:money", "w:closed"], label: "revenue" },
    { features: ["w:money", "w:booked"], label: "revenue" },
    { features: ["w:people", "w:new"], label: "leads" },
    { features: ["w:people", "w:signups"], label: "leads" },
    { features: ["w:weather"], label: "unknown" },
  ]);
  assert.equal(scores(w, ["w:money", "w:today"])[0]?.[0], "revenue");
  assert.equal(scores(w, ["w:people"])[0]?.[0], "leads");
  assert.equal(scores(w, ["w:weather", "w:today"])[0]?.[0], "unknown");
  // The same examples in give the same weights out.
  assert.deepEqual(
    w,
    train([
      { features: ["w:money", "w:closed"], label: "revenue" },
      { features: ["w:money", "w:booked"], label: "revenue" },
      { features: ["w:people", "w:new"], label: "leads" },
      { features: ["w:people", "w:signups"], label: "leads" },
      { features: ["w:weather"], label: "unknown" },
    ]),
  );
});

Deno.test("features(): concepts, words with names and periods marked, named filters", () => {
  const reading = readMessage("how many leads did priya get last week", VOCAB)!;
  const f = features(reading);
  assert.ok(f.includes("w:<owner>") && f.includes("w:<period>") && f.includes("p:owner"), `${f}`);
  assert.ok(f.some((x) => x.startsWith("c:")), `${f}`);
  assert.ok(!f.some((x) => x.includes("priya")), "a rep's name is a mark, not a word");
});

Deno.test("classify() says unknown for what no intent covers", () => {
  assert.equal(classify(readMessage("what is the weather in lisbon", VOCAB)!)[0], "unknown");
});

Deno.test("matchMessage(): the classifier picks where the cues alone go wrong", () => {
  const text = "are we going to be ok this quarter";
  const cues = matchMessage(text, VOCAB, { learned: false });
  assert.notEqual(cues.kind === "intent" && cues.intent, "forecast");
  // The forecast is of this quarter: the period is no filter it refuses.
  assert.deepEqual(matchMessage(text, VOCAB), { kind: "intent", intent: "forecast", params: {} });
});

Deno.test("matchMessage(): small talk stays unknown (the three nearest questions answer it)", () => {
  for (const text of ["who are you", "what's up", "tell me a joke", "good morning", "thanks!"]) {
    assert.deepEqual(matchMessage(text, VOCAB), { kind: "unknown" }, text);
  }
});
