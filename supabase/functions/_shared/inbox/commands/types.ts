/**
 * What a WhatsApp command is: one entry of the registry (commands/index.ts) with its name, the
 * whole messages that ask for it, a short help note and the handler answering it. A handler is
 * made once per deployment from the settings (so `dashboard` reads its secret, `help` lists the
 * registry), then called per message with the sender and the database.
 */
import type postgres from "postgres";
import type { InboundMessage } from "../conversation.ts";

/** The sender, when it is a recipient. */
export interface Sender {
  id: string;
  name: string;
  phone: string;
}

/** What a command handler gets per message. */
export interface CommandContext {
  sql: postgres.Sql;
  sender: Sender;
  inboundId: string;
  message: InboundMessage;
  /** The data version when the message arrived (ask.data_version()). */
  version?: string;
}

/** Answers a command: the reply text (split into messages as needed). */
export type CommandHandler = (ctx: CommandContext) => Promise<string>;

/** What a handler is made from: the function's environment, a clock, the whole registry. */
export interface CommandSetup {
  env: Record<string, string | undefined>;
  now: () => Date;
  commands: readonly WhatsAppCommand[];
}

/** One command of the registry. */
export interface WhatsAppCommand {
  /** The name `help` lists and the conversation log records. */
  name: string;
  /** Whole messages that ask for it (typos of one-word phrases of 4+ letters are forgiven). */
  phrases: readonly string[];
  /** A few words in the `help` commands line. */
  help: string;
  /** Makes the handler from the settings. */
  handler(setup: CommandSetup): CommandHandler;
}
