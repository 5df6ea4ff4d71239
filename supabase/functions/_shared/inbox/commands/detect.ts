/**
 * Whole-message commands: a message is a command when, polite words aside, it is one of a
 * command's phrases ("pulse please", "sync now", "pipeline status"), or a one-word typo of a
 * one-word phrase of 4+ letters ("brif", "dashbord"). An empty message asks for help. Checked
 * before the question matcher, so "status" alone is a command and "deal status" a question.
 */
import { ABBREVIATIONS } from "../../ask/phrases.ts";
import { editDistance, tokenize } from "../../ask/text.ts";
import type { WhatsAppCommand } from "./types.ts";

const POLITE = new Set([
  "please",
  "pls",
  "now",
  "thanks",
  "the",
  "my",
  "send",
  "me",
  "show",
  "give",
  "get",
  "can",
  "could",
  "i",
  "you",
]);

const words = (text: string) =>
  tokenize(text).flatMap((t) => (ABBREVIATIONS[t.norm] ?? t.norm).split(" "));

const PHRASES = new WeakMap<readonly WhatsAppCommand[], Map<string, WhatsAppCommand>>();

function phrasesOf(commands: readonly WhatsAppCommand[]): Map<string, WhatsAppCommand> {
  let map = PHRASES.get(commands);
  if (!map) {
    map = new Map(commands.flatMap((c) => c.phrases.map((p) => [words(p).join(" ") || p, c])));
    PHRASES.set(commands, map);
  }
  return map;
}

/** The command the whole message asks for, or undefined (a question, or nothing known). */
export function detectCommand(
  text: string,
  commands: readonly WhatsAppCommand[],
): WhatsAppCommand | undefined {
  const all = words(text.slice(0, 500));
  const core = all.filter((w) => !POLITE.has(w));
  if (core.length === 0) return all.length ? undefined : commands.find((c) => c.name === "help");
  const phrase = core.join(" ");
  const phrases = phrasesOf(commands);
  const exact = phrases.get(phrase);
  if (exact || core.length > 1) return exact;
  for (const [p, command] of phrases) {
    if (!p.includes(" ") && p.length >= 4 && editDistance(phrase, p, 1) <= 1) return command;
  }
  return undefined;
}
