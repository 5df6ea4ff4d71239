/**
 * The evaluation of issue 26: CRO-style questions (testdata/eval_questions.json, labelled by
 * hand apart from the matcher's cues) run through the keyword matcher, and through the model
 * matcher (the production `ollamaMatcher`) against a fake Ollama; prints top-1 intent accuracy
 * and filter accuracy for the `tune` and `heldout` halves. A question labelled `null` is right
 * when the matcher answers unknown. Filter accuracy: the intent is right and its parameters
 * (period, source, owner, stage, deal) are exactly the named filters the intent accepts;
 * filters it cannot take are counted apart. EVAL_VERBOSE=1 prints the `tune` misses (never the
 * held-out ones: they must not steer tuning).
 *
 * A fake cannot stand for Llama's judgement, so the model matcher gets two bounds: (a) the fake
 * answers every question with its label (source, owner and stage in lower case, as a model may
 * write them): this measures that the prompt/response handling, validation and name
 * normalisation keep a right answer intact (an upper bound); (b) the fake times out or answers
 * malformed JSON: every question falls back to the keyword matcher, as the inbox does (a lower
 * bound, equal to the keyword figures).
 */
import assert from "node:assert/strict";
import {
  DATA,
  type Question,
  type QuestionMatcher,
  score,
  scoreLine,
  VOCAB,
} from "./eval_score.ts";
import { type FakeReply, startFakeOllama } from "./eval_fake_ollama.ts";
import { matchMessage } from "./matcher.ts";
import { ollamaMatcher } from "./model_matcher.ts";

const VERBOSE = Deno.env.get("EVAL_VERBOSE") === "1";

const keyword: QuestionMatcher = (q) => matchMessage(q, VOCAB);
const cuesOnly: QuestionMatcher = (q) => matchMessage(q, VOCAB, { learned: false });

/** Runs both halves under `matcher`; prints the tune misses when asked to and verbose. */
async function both(matcher: QuestionMatcher, showMisses = false) {
  const tune = await score(DATA.tune, matcher);
  const heldout = await score(DATA.heldout, matcher);
  if (showMisses && VERBOSE && tune.misses.length) console.log(tune.misses.join("\n"));
  return { tune, heldout };
}

Deno.test("eval: the keyword matcher on CRO-style questions", async () => {
  const cues = await both(cuesOnly);
  const { tune, heldout } = await both(keyword, true);
  console.log(
    `keyword matcher, cues only             tune: ${scoreLine(cues.tune)}\n` +
      `                                    heldout: ${scoreLine(cues.heldout)}\n` +
      `keyword matcher + learned classifier   tune: ${scoreLine(tune)}\n` +
      `  (no model, as in production)       heldout: ${scoreLine(heldout)}`,
  );
  assert.ok(DATA.tune.length + DATA.heldout.length >= 200);
  assert.ok(heldout.intent >= HELDOUT_INTENT_FLOOR, `held-out intent ${heldout.intent}%`);
});

/**
 * The held-out intent accuracy reached (72.9% at first; 91.7% with the cues tuned on a 1,372-
 * question tune half; 96.5% with the learned classifier picking, trained on 3,487), rounded
 * down: issue 26 asks for 95%.
 */
const HELDOUT_INTENT_FLOOR = 96;

/** The model matcher on the fake, falling back to the keyword matcher when it throws. */
async function viaModel(reply: (q: string) => FakeReply, timeoutMs: number) {
  const fake = startFakeOllama({ reply, holdMs: 3 * timeoutMs });
  let fallbacks = 0;
  try {
    const model = ollamaMatcher({ host: fake.host, model: "llama3.2:1b", timeoutMs });
    const matcher: QuestionMatcher = async (q) => {
      try {
        return await model(q, VOCAB);
      } catch {
        fallbacks++;
        return keyword(q);
      }
    };
    const result = await both(matcher);
    return { ...result, fallbacks, chats: fake.chats() };
  } finally {
    await fake.close();
  }
}

const ALL: Question[] = [...DATA.tune, ...DATA.heldout];

/** The labelled answer as Ollama's structured output, names in lower case. */
function labelled(item: Question): FakeReply {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(item.filters)) {
    params[k] = k === "period" || k === "deal" ? v : v.toLowerCase();
  }
  return { content: JSON.stringify({ intent: item.intent ?? "unknown", params }) };
}

Deno.test("eval: the model matcher, (a) a fake answering each label", async () => {
  const byText = new Map(ALL.map((item) => [item.q, item]));
  const { tune, heldout, fallbacks, chats } = await viaModel(
    (q) => labelled(byText.get(q)!),
    10_000,
  );
  console.log(
    `model matcher (a) fake answers labels  tune: ${scoreLine(tune)}\n` +
      `  (upper bound, ${fallbacks} fell back) heldout: ${scoreLine(heldout)}`,
  );
  assert.equal(chats, ALL.length);
  assert.ok(tune.intent >= 99, `tune intent ${tune.intent}%`);
  assert.ok(tune.filters >= 99, `tune filters ${tune.filters}%`);
  assert.ok(heldout.intent >= 99, `held-out intent ${heldout.intent}%`);
  assert.ok(heldout.filters >= 99, `held-out filters ${heldout.filters}%`);
});

Deno.test("eval: the model matcher, (b) a fake timing out or malformed", async () => {
  const index = new Map(ALL.map((item, i) => [item.q, i]));
  const broken = ["not json", '{"intent":', '{"intent":"drop_table","params":{}}'];
  const { tune, heldout, fallbacks } = await viaModel((q) => {
    const i = index.get(q)!;
    return i % 2 === 0 ? "timeout" : { content: broken[i % broken.length]! };
  }, 100);
  console.log(
    `model matcher (b) fake times out/junk  tune: ${scoreLine(tune)}\n` +
      `  (lower bound, ${fallbacks} fell back) heldout: ${scoreLine(heldout)}`,
  );
  // How many chats reach the fake before the 100 ms timeout depends on the machine's load (none
  // under a busy CI): what holds is that every question falls back.
  assert.equal(fallbacks, ALL.length);
  const kw = await both(keyword);
  for (const half of ["tune", "heldout"] as const) {
    const got = half === "tune" ? tune : heldout;
    assert.deepEqual([got.intent, got.filters], [kw[half].intent, kw[half].filters]);
  }
});
