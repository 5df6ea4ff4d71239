/**
 * The keyword matcher: free text ("rev mtd", "hw many leads frm facebok this wk", "how's the
 * Okafor deal") → an intent of the registry with its parameters, or unknown (whole-message
 * commands are detected before, by the inbox: _shared/inbox/commands).
 * Deterministic and fast (no model): abbreviations are expanded, names of sources, reps and
 * stages found (aliases and small typos included), other typos corrected against the lexicon,
 * then the concepts found pick the intent whose cue set scores highest (lexicon.ts weights).
 */
import { type Intent, type RawParams } from "./registry.ts";
import { type Concept, CONCEPTS, conceptWeight } from "./lexicon.ts";
import {
  ABBREVIATIONS,
  PERIOD_PHRASES,
  SOURCE_ALIASES,
  STAGE_ALIASES,
  STOPWORDS,
} from "./phrases.ts";
import { INTENTS } from "./intents.ts";
import { classify, type Reading } from "./classifier.ts";
import type { Period } from "./periods.ts";
import { againstPrevious, isCurrent, resolveConflicts } from "./matcher_rules.ts";
import {
  correct,
  editDistance,
  findPhrases,
  fold,
  type PhraseList,
  phraseList,
  type Token,
  tokenize,
  typoBudget,
} from "./text.ts";

/** Names the data holds, so questions can mention them. */
export interface Vocabulary {
  sources: string[];
  owners: string[];
  stages: string[];
}

/** What a message asks for. */
export type Match =
  | {
    kind: "intent";
    intent: string;
    /** The parameters the intent takes. */
    params: RawParams;
    /** Filters the message named (period, source, owner, stage) that the intent cannot take:
     * the answer says so (answer.ts). Absent when there are none. */
    refused?: RawParams;
  }
  | { kind: "unknown" };

/** First words of a request to change something, which this bot only reads. */
const ACTIONS = new Set(
  ("update send create set add delete remove change schedule email remind assign reassign mark " +
    "log edit book move ping").split(" "),
);

/** Words before a request that do not change it ("please", "can you"). */
const POLITE = new Set(["please", "pls", "plz", "can", "could", "would", "will"]);
/** Second words that make a first name of an action word ("Mark wants to know…"). */
const SAYS = new Set(["wants", "asks", "asked", "says", "said", "needs", "is", "would"]);

/** The parameters that narrow an answer (a refused one is said aloud). */
const FILTERS = ["period", "source", "owner", "stage"] as const;

const words = (text: string) => tokenize(text).map((t) => t.norm).join(" ");

/** Every word the lexicon knows: typos are corrected towards these. */
const KNOWN = new Set<string>([
  ...Object.values(CONCEPTS).flat().flatMap((p) => p.split(" ")),
  ...PERIOD_PHRASES.flatMap(([p]) => p.split(" ")),
  ...Object.values(ABBREVIATIONS).flatMap((p) => p.split(" ")),
  ...STOPWORDS,
]);

function expand(tokens: Token[]): Token[] {
  return tokens.flatMap((t) => {
    const full = ABBREVIATIONS[t.norm];
    if (!full) return [t];
    return full.split(" ").map((norm, i) => ({ norm, raw: i === 0 ? t.raw : "" }));
  });
}

/** Phrases naming each source, rep and stage (the data's names, aliases, reps' first names),
 * and the one-word names of 5 letters or more (typos of those are looked for). Made once per
 * vocabulary. */
interface Entities {
  phrases: PhraseList<[keyof RawParams, string]>;
  single: [string, [keyof RawParams, string]][];
}

const ENTITY_CACHE = new WeakMap<Vocabulary, Entities>();

function entityPhrases(vocab: Vocabulary): Entities {
  const cached = ENTITY_CACHE.get(vocab);
  if (cached) return cached;
  const entries: [string, [keyof RawParams, string]][] = [];
  for (const s of vocab.sources) entries.push([words(s), ["source", s]]);
  for (const [s, aliases] of Object.entries(SOURCE_ALIASES)) {
    const name = vocab.sources.find((v) => fold(v) === fold(s)) ?? s;
    for (const a of aliases) entries.push([words(a), ["source", name]]);
  }
  const firstNames = vocab.owners.map((o) => words(o).split(" ")[0] ?? "");
  const possessives = new Set<string>();
  vocab.owners.forEach((o, i) => {
    entries.push([words(o), ["owner", o]]);
    const first = firstNames[i]!;
    if (first.length >= 3 && firstNames.filter((f) => f === first).length === 1) {
      entries.push([first, ["owner", o]]);
      // "hiros pipe": a possessive typed without its apostrophe.
      if (!first.endsWith("s")) {
        entries.push([`${first}s`, ["owner", o]]);
        possessives.add(`${first}s`);
      }
    }
  });
  for (const s of vocab.stages) entries.push([words(s), ["stage", s]]);
  for (const [s, aliases] of Object.entries(STAGE_ALIASES)) {
    if (vocab.stages.includes(s)) {
      for (const a of aliases) entries.push([words(a), ["stage", s]]);
    }
  }
  const named = entries.filter(([p]) => p.length > 0);
  const result = {
    phrases: phraseList(named),
    // Typos are looked for in names, not in "lenas" (else "ledas" would be Lena, not leads).
    single: named.filter(([p]) => !p.includes(" ") && p.length >= 5 && !possessives.has(p)),
  };
  ENTITY_CACHE.set(vocab, result);
  return result;
}

const CONCEPT_PHRASES: [string, Concept][] = Object.entries(CONCEPTS)
  .flatMap(([c, list]) => list.map((p) => [p, c as Concept] as [string, Concept]));
// Multi-word concepts are looked for before periods ("by month" is a trend, not this month).
const MULTI_WORD_CONCEPTS = phraseList(CONCEPT_PHRASES.filter(([p]) => p.includes(" ")));
const ONE_WORD_CONCEPTS = phraseList(CONCEPT_PHRASES.filter(([p]) => !p.includes(" ")));
const PERIODS = phraseList<Period>(PERIOD_PHRASES);

function bestIntent(found: Set<Concept>, intents: readonly Intent[]) {
  let best: { intent: Intent; score: number; size: number } | undefined;
  for (const intent of intents) {
    for (const cue of intent.cues) {
      if (!cue.every((c) => found.has(c))) continue;
      const score = cue.reduce((s, c) => s + conceptWeight(c), 0);
      if (!best || score > best.score || (score === best.score && cue.length > best.size)) {
        best = { intent, score, size: cue.length };
      }
    }
  }
  return best?.intent;
}

/** Reads a message: undefined for a request to change something in the CRM. */
export function readMessage(text: string, vocab: Vocabulary): Reading | undefined {
  const tokens = expand(tokenize(text.slice(0, 500)));
  // "update the Acme deal", "send the forecast to the board": actions in the CRM, not questions.
  // ("update on the Müller deal", "update me on pipeline" ask for news.)
  // ("update on the Müller deal", "Mark wants to know…" are not; "can you change…" is.)
  const lead = tokens.findIndex((t, i) =>
    !POLITE.has(t.norm) && !(t.norm === "you" && i > 0 && POLITE.has(tokens[i - 1]!.norm))
  );
  const [first, second] = [tokens[lead]?.norm ?? "", tokens[lead + 1]?.norm ?? ""];
  const news = (first === "update" && (second === "on" || second === "me")) ||
    SAYS.has(second);
  if (ACTIONS.has(first) && !news) return undefined;
  const used = tokens.map(() => false);
  const params: RawParams = {};
  // Names first, on the words as typed (a rep's name is no typo of a keyword).
  const entityWords = tokens.map((t) => t.norm);
  const entities = entityPhrases(vocab);
  const named = new Map<keyof RawParams, Set<string>>();
  const marks: (string | undefined)[] = tokens.map(() => undefined);
  for (const hit of findPhrases(entityWords, entities.phrases, used)) {
    const [key, value] = hit.value;
    params[key] ??= value;
    for (let k = hit.start; k < hit.end; k++) marks[k] = `<${key}>`;
    named.set(key, (named.get(key) ?? new Set()).add(value));
  }
  // A misspelt single-word name ("facebok", "pirya") within the typo budget of its length.
  const single = entities.single;
  tokens.forEach((t, i) => {
    if (used[i] || KNOWN.has(t.norm) || t.norm.length < 5) return;
    const hit = single.find(([p]) =>
      editDistance(t.norm, p, typoBudget(t.norm)) <= typoBudget(t.norm)
    );
    if (!hit) return;
    const [key, value] = hit[1];
    params[key] ??= value;
    used[i] = true;
    marks[i] = `<${key}>`;
  });
  // Other words: typos corrected towards the lexicon, then periods, numbers, concepts.
  // A capitalised word after the first is taken as a name ("Santos Loft" is no typo of "lost").
  const norms = tokens.map((t, i) =>
    used[i] || (i > 0 && /^\p{Lu}\p{Ll}/u.test(t.raw)) ? t.norm : correct(t.norm, KNOWN)
  );
  // Multi-word concepts before periods ("by month" is a trend, not this month), then single ones.
  const found = new Set<Concept>();
  const conceptHits = findPhrases(norms, MULTI_WORD_CONCEPTS, used);
  const periods = findPhrases(norms, PERIODS, used);
  if (periods[0]) params.period = againstPrevious(periods, norms) ?? periods[0].value;
  // A period ahead ("next month") keeps its first word: "next" is a cue of its own (most
  // questions about the future are not about figures we have).
  for (const p of periods) {
    for (let k = p.start; k < p.end; k++) {
      marks[k] = k === p.start && p.value.startsWith("next_") ? norms[k]! : "<period>";
    }
  }
  conceptHits.push(...findPhrases(norms, ONE_WORD_CONCEPTS, used));
  for (const hit of conceptHits) {
    found.add(hit.value);
    const next = norms[hit.end];
    if (hit.value === "top" && next && /^\d+$/.test(next)) {
      params.limit = Number(next);
      used[hit.end] = true;
    }
  }
  norms.forEach((w, i) => {
    if (!used[i] && /^\d+$/.test(w) && norms[i + 1] && found.has("top")) {
      params.limit ??= Number(w);
      used[i] = true;
    }
  });
  // What is left, as typed, may be a deal's name.
  const left = tokens.flatMap((t, i) =>
    !used[i] && t.raw && !STOPWORDS.has(norms[i]!) && !STOPWORDS.has(t.norm) ? [{ t, i }] : []
  );
  // Capitalised words after the first word are the deal's name when there are any ("client
  // calling about the Greenfield project"); else every word left is.
  const upper = (raw = "") => /^\p{Lu}/u.test(raw);
  const capitalised = left.filter(({ t, i }, k) =>
    upper(t.raw) && (i > 0 || upper(left[k + 1]?.t.raw))
  );
  const rest = (capitalised.length ? capitalised : left).map(({ t }) => t.raw);
  if (rest.length) params.deal = rest.join(" ");

  // Two sources, reps or stages named ("google vs fb vs referrals"): a split by that dimension.
  for (const [key, values] of named) {
    if (values.size > 1 && (key === "source" || key === "owner" || key === "stage")) {
      delete params[key];
      found.add(key);
    }
  }
  resolveConflicts(found, norms, params);
  return { params, found, words: norms.map((w, i) => marks[i] ?? w) };
}

/** Options of matchMessage. */
export interface MatchOptions {
  /** The intents to choose from (default: the registry). */
  intents?: readonly Intent[];
  /** Let the learned classifier pick the intent (default true; false: the cues only). */
  learned?: boolean;
}

/** Matches a message against the registry: the learned classifier picks the intent, the cues
 * when it has nothing to go on; the filters are what the reading found. */
export function matchMessage(
  text: string,
  vocab: Vocabulary,
  { intents = INTENTS, learned = true }: MatchOptions = {},
): Match {
  const reading = readMessage(text, vocab);
  if (!reading) return { kind: "unknown" };
  const { params, found } = reading;
  // The classifier trained on labelled questions picks (a deal's status needs a deal's name);
  // the cues pick when it has seen none of the message's features, or knows no intent of them.
  const [label] = learned ? classify(reading, { except: params.deal ? [] : ["deal_status"] }) : [];
  let intent = label === undefined || label === "unknown"
    ? undefined
    : intents.find((i) => i.name === label);
  if (label === undefined || (label !== "unknown" && !intent)) {
    intent = bestIntent(found, intents);
    if (intent?.name === "deal_status" && !params.deal) {
      intent = bestIntent(found, intents.filter((i) => i.name !== "deal_status"));
    }
  }
  if (!intent) return { kind: "unknown" };
  const accepted: RawParams = {};
  for (const k of intent.accepts) if (params[k] !== undefined) accepted[k] = params[k];
  // Targets are a quarter's: "what's our quota attainment" without a period asks for this
  // quarter's revenue against its target, not this month's (which has none to attain).
  if (intent.name === "revenue" && found.has("target") && accepted.period === undefined) {
    accepted.period = "this_quarter";
  }
  const refused: RawParams = {};
  for (const k of FILTERS) {
    if (params[k] !== undefined && accepted[k] === undefined) refused[k] = params[k];
  }
  // An answer without a period is as of today: "today", "this week" ask for nothing else.
  if (!intent.accepts.includes("period") && isCurrent(refused.period)) delete refused.period;
  return Object.keys(refused).length
    ? { kind: "intent", intent: intent.name, params: accepted, refused }
    : { kind: "intent", intent: intent.name, params: accepted };
}
