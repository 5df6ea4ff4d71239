/**
 * The questions nearest to a message the registry could not answer: each intent's example and
 * description are compared with the message word by word (normalised as the matcher does, with
 * abbreviations expanded, words without meaning dropped and plain endings stripped), and the
 * lexicon's concepts the message names with the intent's cues ("money" is revenue), so "how are
 * leads trending" is met with leads questions rather than the whole list.
 */
import { INTENTS } from "./intents.ts";
import { type Concept, CONCEPTS } from "./lexicon.ts";
import { ABBREVIATIONS, STOPWORDS } from "./phrases.ts";
import type { Intent } from "./registry.ts";
import { tokenize } from "./text.ts";

/** A word's stem: plural and verb endings off ("trending" → "trend", "deals" → "deal"). */
function stem(word: string): string {
  for (const end of ["ing", "ed", "es", "s"]) {
    if (word.endsWith(end) && word.length - end.length >= 3) return word.slice(0, -end.length);
  }
  return word;
}

/** The meaningful words of a text, normalised and stemmed. */
export function meaningfulWords(text: string): Set<string> {
  const words = tokenize(text).flatMap((t) => (ABBREVIATIONS[t.norm] ?? t.norm).split(" "));
  return new Set(words.filter((w) => w !== "?" && !STOPWORDS.has(w)).map(stem));
}

/** Stemmed one-word concept phrases → their concepts. */
const WORD_CONCEPTS = new Map<string, Concept[]>();
for (const [concept, list] of Object.entries(CONCEPTS) as [Concept, readonly string[]][]) {
  for (const phrase of list) {
    if (phrase.includes(" ")) continue;
    const key = stem(phrase);
    WORD_CONCEPTS.set(key, [...(WORD_CONCEPTS.get(key) ?? []), concept]);
  }
}

/** How near an intent is to the message's words: shared example words count double, each
 * concept of the intent's cues the message names once. */
function score(message: Set<string>, intent: Intent): number {
  const example = meaningfulWords(intent.example);
  const description = meaningfulWords(intent.description);
  const cues = new Set(intent.cues.flat());
  let s = 0;
  for (const w of message) {
    if (example.has(w)) s += 2;
    else if (description.has(w)) s += 1;
    if ((WORD_CONCEPTS.get(w) ?? []).some((c) => cues.has(c))) s += 1;
  }
  // Among equals, the intent with fewer words is the closer fit.
  return s === 0 ? 0 : s - (example.size + description.size) / 100;
}

/**
 * The `count` intents nearest to `text`, best first (registry order among equals); when no word
 * is shared, the first intents of the registry.
 */
export function nearestIntents(
  text: string,
  count = 3,
  intents: readonly Intent[] = INTENTS,
): Intent[] {
  const words = meaningfulWords(text.slice(0, 500));
  return intents
    .map((intent, i) => ({ intent, i, s: score(words, intent) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, count)
    .map((r) => r.intent);
}
