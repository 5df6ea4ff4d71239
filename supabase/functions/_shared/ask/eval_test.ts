/**
 * The evaluation of issue 26: CRO-style questions (testdata/eval_questions.json, labelled by
 * hand apart from the matcher's cues) run through the keyword matcher; prints top-1 intent
 * accuracy and filter accuracy for the `tune` and `heldout` halves, and asserts the held-out
 * intent accuracy. A question labelled `null` is right when the matcher answers unknown.
 * Filter accuracy: the intent is right and its parameters (period, source, owner, stage) are
 * exactly the named filters the intent accepts; filters it cannot take are counted apart.
 */
import assert from "node:assert/strict";
import { intentByName } from "./intents.ts";
import { matchMessage, type Vocabulary } from "./matcher.ts";
import type { ParamName } from "./registry.ts";

/** The demo company's names (as in matcher_test.ts). */
const VOCAB: Vocabulary = {
  sources: ["Facebook", "Google Ads", "Partner", "Referral", "Trade Show", "Website"],
  owners: [
    "Asha Hegde",
    "Marcus Reyes",
    "Priya Nair",
    "Tom Becker",
    "Lena Kowalski",
    "Diego Santos",
    "Grace Okafor",
    "Hiro Tanaka",
  ],
  stages: [
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
    "Closed Lost to Competition",
  ],
};

interface Question {
  q: string;
  intent: string | null;
  filters: Partial<Record<"period" | "source" | "owner" | "stage", string>>;
}

const DATA = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/eval_questions.json", import.meta.url)),
) as { tune: Question[]; heldout: Question[] };

const FILTERS = ["period", "source", "owner", "stage"] as const;

/** Scores one half: intent accuracy, filter accuracy, filters named that the intent refuses. */
function evaluate(questions: Question[], verbose: boolean) {
  let intentOk = 0, filterOk = 0, refused = 0;
  const misses: string[] = [];
  for (const item of questions) {
    const match = matchMessage(item.q, VOCAB);
    const got = match.kind === "intent" ? match.intent : null;
    const okIntent = got === item.intent;
    if (okIntent) intentOk++;
    let okFilters = okIntent;
    if (okIntent && item.intent && match.kind === "intent") {
      const accepts = intentByName(item.intent)!.accepts as ParamName[];
      for (const k of FILTERS) {
        const want = accepts.includes(k) ? item.filters[k] : undefined;
        if (item.filters[k] !== undefined && !accepts.includes(k)) refused++;
        if (match.params[k] !== want) okFilters = false;
      }
    }
    if (okFilters) filterOk++;
    if (!okFilters) {
      misses.push(
        `  ${JSON.stringify(item.q)}: want ${item.intent} ${JSON.stringify(item.filters)}, got ${
          match.kind === "intent" ? `${got} ${JSON.stringify(match.params)}` : match.kind
        }`,
      );
    }
  }
  const pct = (n: number) => Math.round((1000 * n) / questions.length) / 10;
  if (verbose && misses.length) console.log(misses.join("\n"));
  return { n: questions.length, intent: pct(intentOk), filters: pct(filterOk), refused };
}

Deno.test("eval: the keyword matcher on CRO-style questions", () => {
  const verbose = Deno.env.get("EVAL_VERBOSE") === "1";
  const tune = evaluate(DATA.tune, verbose);
  const heldout = evaluate(DATA.heldout, false);
  console.log(
    `keyword matcher  tune: ${tune.n} questions, intent ${tune.intent}%, filters ${tune.filters}%` +
      ` (${tune.refused} named filters the intent cannot take)\n` +
      `              heldout: ${heldout.n} questions, intent ${heldout.intent}%, filters ` +
      `${heldout.filters}% (${heldout.refused} named filters the intent cannot take)`,
  );
  assert.ok(DATA.tune.length + DATA.heldout.length >= 200);
  assert.ok(heldout.intent >= HELDOUT_INTENT_FLOOR, `held-out intent ${heldout.intent}%`);
});

/**
 * The intent accuracy measured on the fresh held-out half before any tuning on it, rounded down
 * (issue 26 asks for 95%; raise this as tuning on `tune` lifts it).
 */
const HELDOUT_INTENT_FLOOR = 72;
