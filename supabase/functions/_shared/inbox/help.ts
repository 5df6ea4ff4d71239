/** The replies that explain what can be asked: `help`, an unknown question, a refusal. */
import { INTENTS } from "../ask/intents.ts";
import { nearestIntents } from "../ask/nearest.ts";
import type { Intent } from "../ask/registry.ts";
import type { WhatsAppCommand } from "./commands/types.ts";

/** The commands lines of `help`: each command with its help note, lines of 90 characters. */
export function commandLines(commands: readonly WhatsAppCommand[]): string[] {
  const lines = ["Commands:"];
  for (const c of commands) {
    const item = `${c.name} (${c.help})`;
    const last = lines[lines.length - 1]!;
    if (last.length + item.length + 3 > 90) lines.push(item);
    else lines[lines.length - 1] = last === "Commands:" ? `${last} ${item}` : `${last} · ${item}`;
  }
  return lines;
}

/**
 * The areas `help` shows, each with the intents whose name holds one of its words (the first
 * of the registry for each word, at most two): one line per area keeps `help` on one screen.
 */
export const HELP_AREAS: readonly { label: string; words: readonly string[] }[] = [
  { label: "Revenue", words: ["revenue", "forecast"] },
  { label: "Leads", words: ["leads", "response"] },
  { label: "Pipeline", words: ["pipeline", "stage"] },
  { label: "Deals", words: ["top", "closing"] },
  { label: "Reps", words: ["leaderboard", "win"] },
  { label: "What next", words: ["next", "why"] },
];

/** The intents `help` gives as examples of an area. */
export function areaIntents(words: readonly string[]): Intent[] {
  const found: Intent[] = [];
  for (const word of words) {
    const hit = INTENTS.find((i) => i.name.split("_").includes(word) && !found.includes(i));
    if (hit) found.push(hit);
  }
  return found.slice(0, 2);
}

/** `help`: the areas with one or two ways to ask, then the commands (one phone screen). */
export function helpText(commands: readonly WhatsAppCommand[]): string {
  return [
    "Ask me about the numbers in plain words, for example:",
    ...HELP_AREAS.map(({ label, words }) =>
      `• ${label}: ${areaIntents(words).map((i) => i.example).join(" · ")}`
    ),
    "Add a period (today, this week, qtd, ytd…), a source, a rep or a stage.",
    ...commandLines(commands),
  ].join("\n");
}

/** A question the registry cannot answer: the three questions nearest to it. */
export function unknownText(message: string): string {
  return [
    "I can't answer that yet. Closest I can answer:",
    ...nearestIntents(message, 3).map((i) => `• ${i.example}`),
    "(send help for more)",
  ].join("\n");
}

/** The one polite answer a number outside the recipients list gets. */
export const REFUSAL_TEXT =
  "Hello! This number only answers the sales team's registered executives, so I can't share " +
  "anything here. If you should have access, ask your admin to add your number.";
