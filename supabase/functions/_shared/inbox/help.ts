/** The replies that explain what can be asked: `help`, an unknown question, a refusal. */
import { INTENTS } from "../ask/intents.ts";

const COMMAND_LINE =
  "Commands: pulse · brief · sync · status · dashboard · stop (no daily pulse) · start · help";

/** `help`: one way to ask each question, then the commands (fits one WhatsApp message). */
export function helpText(): string {
  return [
    "Ask me about the numbers in plain words, for example:",
    ...INTENTS.map((i) => `• ${i.example}`),
    "Add a period (today, this week, last month, qtd, ytd…), a source, a rep or a stage.",
    COMMAND_LINE,
  ].join("\n");
}

/** A question the registry cannot answer. */
export function unknownText(): string {
  return `I can't answer that one yet. ${helpText()}`;
}

/** The one polite answer a number outside the recipients list gets. */
export const REFUSAL_TEXT =
  "Hello! This number only answers the sales team's registered executives, so I can't share " +
  "anything here. If you should have access, ask your admin to add your number.";

/** A command whose feature has not been deployed yet. */
export function notAvailableText(command: string): string {
  return `"${command}" is not available yet. ${COMMAND_LINE}`;
}
