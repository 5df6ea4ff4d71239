/**
 * The WhatsApp commands beside questions, one entry each (name, phrases, help note, handler):
 * the inbox detects them (detect.ts), `help` lists them, the webhook makes their handlers here.
 * A new command is a file in this folder and a line in COMMANDS.
 */
import { helpText } from "../help.ts";
import { dashboard } from "./dashboard.ts";
import { brief, pulse } from "./pulse.ts";
import { status } from "./status.ts";
import { start, stop } from "./subscription.ts";
import { sync } from "./sync.ts";
import type { CommandHandler, CommandSetup, WhatsAppCommand } from "./types.ts";

/** `help`: what can be asked, and these commands. */
const help: WhatsAppCommand = {
  name: "help",
  phrases: ["help", "menu", "commands", "options", "hi", "hello", "hey", "?"],
  help: "this list",
  handler: ({ commands }) => () => Promise.resolve(helpText(commands)),
};

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly WhatsAppCommand[] = [
  pulse,
  brief,
  sync,
  status,
  dashboard,
  stop,
  start,
  help,
];

/** Each command's handler, by name, made from the settings. */
export function commandHandlers(
  setup: Partial<CommandSetup> = {},
): Record<string, CommandHandler> {
  const full: CommandSetup = {
    env: setup.env ?? {},
    now: setup.now ?? (() => new Date()),
    commands: setup.commands ?? COMMANDS,
  };
  return Object.fromEntries(full.commands.map((c) => [c.name, c.handler(full)]));
}
