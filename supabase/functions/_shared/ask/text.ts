/**
 * Text handling for the keyword matcher: normalising a WhatsApp message into tokens, edit
 * distance for typos, and greedy longest-first phrase matching over tokens.
 */

/** A token of the message: its normalised form (matched) and how it was written (kept). */
export interface Token {
  norm: string;
  raw: string;
}

/** Lower case, accents folded, apostrophes dropped ("what's" → "whats"), punctuation → spaces. */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/** Splits a message into tokens; each keeps the words as typed (for deal names). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // A possessive is the name ("lena's deals" → lena); other apostrophes join ("whats").
  // A hyphen between letters joins words ("lead-to-close", "follow-up"): read them apart.
  const cleaned = text.replace(/[’'`]s\b/giu, "").replace(/[’'`]/g, "")
    .replace(/(\p{L})-(?=\p{L})/gu, "$1 ").replace(
      /[^\p{L}\p{N}?%$&.-]+/gu,
      " ",
    );
  for (const piece of cleaned.split(/\s+/)) {
    const raw = piece.replace(/^[.-]+|[.-]+$/g, "").replace(/\?+/g, "");
    if (!raw) {
      if (piece.includes("?")) out.push({ norm: "?", raw: "?" });
      continue;
    }
    out.push({ norm: fold(raw), raw });
  }
  return out;
}

/** Optimal-string-alignment distance (Damerau-Levenshtein with adjacent swaps), capped at max+1. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2]! + 1);
      }
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Edits a word of this length may carry and still count as a known word. */
export function typoBudget(word: string): number {
  return word.length < 4 ? 0 : word.length < 8 ? 1 : 2;
}

/** The known word `word` most likely stands for (itself when known or nothing is close). */
export function correct(word: string, known: ReadonlySet<string>): string {
  if (known.has(word) || /\d/.test(word)) return word;
  const budget = typoBudget(word);
  if (budget === 0) return word;
  let best = word;
  let bestDistance = budget + 1;
  for (const k of known) {
    if (k.length < 4) continue;
    const d = editDistance(word, k, budget);
    // Two edits only keep the first letter: "sitting" is no typo of "rotting".
    if (d < bestDistance && (d < 2 || k[0] === word[0])) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** A phrase found in the tokens: what it stands for and the token positions it covers. */
export interface PhraseHit<T> {
  value: T;
  start: number;
  end: number;
}

/** Phrases split into words, longest first: what findPhrases looks for (made once). */
export type PhraseList<T> = readonly { parts: readonly string[]; value: T }[];

/** Prepares phrases ("month to date" → its words) for findPhrases, longest first. */
export function phraseList<T>(phrases: readonly (readonly [string, T])[]): PhraseList<T> {
  return phrases
    .map(([text, value]) => ({ parts: text.split(" "), value }))
    .sort((a, b) => b.parts.length - a.parts.length);
}

/**
 * Finds phrases in `words` (already split into words), longest phrases first, each token used
 * at most once; `used` marks taken positions and is updated.
 */
export function findPhrases<T>(
  words: readonly string[],
  sorted: PhraseList<T>,
  used: boolean[],
): PhraseHit<T>[] {
  const hits: PhraseHit<T>[] = [];
  for (const { parts, value } of sorted) {
    for (let i = 0; i + parts.length <= words.length; i++) {
      let ok = true;
      for (let k = 0; k < parts.length && ok; k++) {
        ok = !used[i + k] && words[i + k] === parts[k];
      }
      if (!ok) continue;
      for (let k = 0; k < parts.length; k++) used[i + k] = true;
      hits.push({ value, start: i, end: i + parts.length });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}
