/**
 * The WhatsApp pulse: at most 400 characters, always, composed only from a checked brief (its
 * critical gap, immediate action and headline, whose numbers are the key numbers): nothing new.
 * It is the rendering of one content template, so the free-text message (inside WhatsApp's 24-hour
 * window) and the template message (outside it, `TWILIO_PULSE_CONTENT_SID` + these variables)
 * read the same. The approved template's body must be PULSE_TEMPLATE.
 */
import type { Draft } from "./prompt.ts";

/** The content template's body; {{n}} are its variables. */
export const PULSE_TEMPLATE = "Daily pulse {{1}}\nGap: {{2}}\nAction: {{3}}\nKey: {{4}}";

/** The hard limit of a pulse. */
export const PULSE_MAX = 400;

/** A pulse: its text and the template variables that render to it. */
export interface Pulse {
  text: string;
  variables: Record<string, string>;
}

/** Renders a template body with its variables, as Twilio does for a content template. */
export function renderTemplate(body: string, variables: Record<string, string>): string {
  return body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => variables[n] ?? "");
}

/** Trailing words a cut must not leave dangling: numbers, units, direction and joining words. */
const DANGLING =
  /^(?:[-+$€£₹¥(]*[\d.,]+\S*|k|m|bn|million|billion|thousand|%|x|days?|hours?|up|down|at|of|to|by|on|in|and|or|with|against|from|the|a|an|is|are|vs\.?|[-–—:;,(]+)$/i;

/**
 * `text` cut to at most `max` characters at a word boundary, ending in "…" when cut; never inside
 * one of `names` (a cut name could read as another name or hold digits that read as numbers).
 */
export function clip(text: string, max: number, names: string[] = []): string {
  // Line breaks end a template variable; other spacing is kept (names are matched as written).
  const clean = text.replace(/[\r\n\t]+/g, " ").trim();
  if (clean.length <= max) return clean;
  let end = Math.max(0, max - 1);
  for (const name of names) {
    if (!name) continue;
    const lower = clean.toLowerCase();
    for (
      let i = lower.indexOf(name.toLowerCase());
      i >= 0;
      i = lower.indexOf(name.toLowerCase(), i + 1)
    ) {
      if (i < end && i + name.length > end) end = i;
    }
  }
  const words = clean.slice(0, end).split(" ");
  if (clean[end] !== " " && words.length > 1) words.pop(); // a word cut in the middle
  // A cut may end inside a number or a name: drop trailing words with digits (a partial
  // "$1.2" of "$1.2 million", or digits of a cut name), units and joining words.
  const dangling = (w: string) => !w || /\d/.test(w) || DANGLING.test(w.replace(/[,;:.]+$/, ""));
  while (words.length && dangling(words[words.length - 1]!)) words.pop();
  const kept = words.join(" ").replace(/[,;:]+$/, "");
  return kept ? `${kept}…` : "";
}

/** Composes the pulse of a checked brief dated `asOf`; `names` are the payload's names. */
export function composePulse(draft: Draft, asOf: string, names: string[] = []): Pulse {
  const fixed = renderTemplate(PULSE_TEMPLATE, {}).length;
  let budget = PULSE_MAX - fixed - asOf.length;
  const gap = clip(draft.critical_gap.text, Math.min(140, budget), names);
  budget -= gap.length;
  const action = clip(draft.immediate_action.text, Math.min(140, budget), names);
  budget -= action.length;
  const key = clip(draft.headline.text, budget, names);
  const variables = { "1": asOf, "2": gap, "3": action, "4": key };
  const text = renderTemplate(PULSE_TEMPLATE, variables);
  if (text.length > PULSE_MAX) {
    throw new Error(`Cannot compose the pulse: ${text.length} characters over ${PULSE_MAX}`);
  }
  return { text, variables };
}
