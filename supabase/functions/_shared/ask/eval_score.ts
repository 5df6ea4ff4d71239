/**
 * Scoring for the evaluation of issue 26 (eval_test.ts): the hand-labelled CRO-style questions
 * of testdata/eval_questions.json, the demo company's names, and a scorer that runs any matcher
 * over a half and reports top-1 intent accuracy and filter accuracy.
 */
import { intentByName } from "./intents.ts";
import type { Match, Vocabulary } from "./matcher.ts";
import type { Intent, ParamName, RawParams } from "./registry.ts";

/** The demo company's names (as in matcher_test.ts). */
export const VOCAB: Vocabulary = {
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

/** The filters a question may name and the eval compares. */
export const FILTERS = ["period", "source", "owner", "stage", "deal"] as const;

/** One labelled question: `intent` null means no intent answers it (unknown is right). */
export interface Question {
  q: string;
  intent: string | null;
  filters: Partial<Record<(typeof FILTERS)[number], string>>;
}

/** Both halves: `tune` (the lexicon is tuned on it) and `heldout` (only measured). */
export const DATA = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/eval_questions.json", import.meta.url)),
) as { tune: Question[]; heldout: Question[] };

/** Any matcher of a question, keyword or model. */
export type QuestionMatcher = (q: string) => Match | Promise<Match>;

/** The figures of one half under one matcher. */
export interface Score {
  n: number;
  /** Top-1 intent accuracy, percent to one decimal. */
  intent: number;
  /** Intent right and exactly the named filters it accepts, percent to one decimal. */
  filters: number;
  /** Filters named that the labelled intent cannot take (counted when the intent is right). */
  refused: number;
  /** Labelled intents the registry does not have yet (each a miss). */
  unregistered: string[];
  /** One line per question with a wrong intent or filters. */
  misses: string[];
}

/** A deal's name as words: case, punctuation, "the" and "deal" do not count. */
function dealWords(s: string | number | undefined): string | undefined {
  if (s === undefined) return undefined;
  return String(s).toLowerCase().replace(/[^a-z0-9]+/g, " ").split(" ")
    .filter((w) => w && w !== "the" && w !== "deal").join(" ");
}

/** The parameters with the intent's defaults filled in (as given when they do not parse). */
function withDefaults(intent: Intent, params: RawParams): Record<string, unknown> {
  try {
    return intent.parseParams(params);
  } catch {
    return params;
  }
}

/** Scores `questions` under `matcher` (all asked at once). */
export async function score(questions: Question[], matcher: QuestionMatcher): Promise<Score> {
  const matches = await Promise.all(questions.map((item) => matcher(item.q)));
  let intentOk = 0, filterOk = 0, refused = 0;
  const misses: string[] = [], unregistered = new Set<string>();
  questions.forEach((item, i) => {
    const match = matches[i]!;
    const got = match.kind === "intent" ? match.intent : null;
    const intent = item.intent === null ? undefined : intentByName(item.intent);
    if (item.intent !== null && !intent) unregistered.add(item.intent);
    const okIntent = got === item.intent && (item.intent === null || intent !== undefined);
    if (okIntent) intentOk++;
    let okFilters = okIntent;
    if (okIntent && intent && match.kind === "intent") {
      const accepts = intent.accepts as ParamName[];
      const wanted = Object.fromEntries(
        Object.entries(item.filters).filter(([k]) => accepts.includes(k as ParamName)),
      );
      // A filter left out and the intent's default give the same answer ("pipeline change" and
      // "pipeline change this quarter"): compared with the defaults filled in.
      const [gotFull, wantFull] = [
        withDefaults(intent, match.params),
        withDefaults(intent, wanted),
      ];
      for (const k of FILTERS) {
        const want = accepts.includes(k) ? item.filters[k] : undefined;
        if (item.filters[k] !== undefined && !accepts.includes(k)) refused++;
        const same = k === "deal"
          ? dealWords(match.params[k]) === dealWords(want)
          : gotFull[k] === wantFull[k];
        if (!same) okFilters = false;
      }
    }
    if (okFilters) filterOk++;
    else {
      const shown = match.kind === "intent" ? `${got} ${JSON.stringify(match.params)}` : match.kind;
      misses.push(
        `  ${JSON.stringify(item.q)}: want ${item.intent} ${JSON.stringify(item.filters)}, ` +
          `got ${shown}`,
      );
    }
  });
  const pct = (n: number) => Math.round((1000 * n) / questions.length) / 10;
  return {
    n: questions.length,
    intent: pct(intentOk),
    filters: pct(filterOk),
    refused,
    unregistered: [...unregistered].sort(),
    misses,
  };
}

/** "240 questions, intent 84.2%, filters 83.8% (5 named filters the intent cannot take)". */
export function scoreLine(s: Score): string {
  const missing = s.unregistered.length
    ? `; not in the registry yet: ${s.unregistered.join(", ")}`
    : "";
  return `${s.n} questions, intent ${s.intent}%, filters ${s.filters}% ` +
    `(${s.refused} named filters the intent cannot take${missing})`;
}
