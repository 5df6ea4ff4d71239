/**
 * One inbound WhatsApp message, after its signature was checked: stored once per MessageSid (a
 * replay gets no second answer), refused politely (once a day) when the sender is no recipient,
 * else mapped to a command or a registry intent and answered from SQL. Every reply is logged with
 * the intent, parameters and latency. Commands that belong to other features are injected.
 */
import type postgres from "postgres";
import { answerIntent, loadAskContext } from "../ask/answer.ts";
import { intentByName } from "../ask/intents.ts";
import type { Command } from "../ask/lexicon.ts";
import { type Match, matchMessage, type Vocabulary } from "../ask/matcher.ts";
import { helpText, notAvailableText, REFUSAL_TEXT, unknownText } from "./help.ts";
import {
  classifyInbound,
  type InboundMessage,
  recordInbound,
  recordOutbound,
  refusedRecently,
} from "./log.ts";
import { splitMessage } from "./split.ts";

/** The sender, when it is a recipient. */
export interface Sender {
  id: string;
  name: string;
  phone: string;
}

/** What a command handler gets. */
export interface CommandContext {
  sql: postgres.Sql;
  sender: Sender;
  inboundId: string;
  message: InboundMessage;
}

/** Answers a command: the reply text (split into messages as needed). */
export type CommandHandler = (ctx: CommandContext) => Promise<string>;

/** A model that maps text to a match; throws when unreachable (the keyword matcher then runs). */
export type ModelMatcher = (text: string, vocab: Vocabulary) => Promise<Match>;

/** What handling a message needs. */
export interface InboxDeps {
  sql: postgres.Sql;
  findSender(phone: string): Promise<Sender | undefined>;
  /** Records the inbound time that opens WhatsApp's 24-hour window. */
  touchInbound?(phone: string, at: Date): Promise<void>;
  commands?: Partial<Record<Command, CommandHandler>>;
  model?: ModelMatcher;
  /** Answer as of this day (YYYY-MM-DD) instead of today. */
  asOf?: string;
  /** Milliseconds clock for latency (default performance.now). */
  clock?: () => number;
}

/** The replies to send now (as TwiML) and how the message was understood. */
export interface InboundResult {
  replies: string[];
  intent: string;
  params: Record<string, unknown>;
  replay: boolean;
}

async function understand(deps: InboxDeps, text: string, vocab: Vocabulary): Promise<Match> {
  const keyword = matchMessage(text, vocab);
  if (keyword.kind === "command" || !deps.model) return keyword;
  try {
    return await deps.model(text, vocab);
  } catch (e) {
    console.error(`whatsapp-webhook: model matcher unavailable, keyword match used: ${e}`);
    return keyword;
  }
}

async function respond(deps: InboxDeps, msg: InboundMessage, ctx: CommandContext) {
  const ask = await loadAskContext(deps.sql);
  const match = await understand(deps, msg.body, ask);
  if (match.kind === "command") {
    const handler = deps.commands?.[match.command];
    const text = match.command === "help"
      ? helpText()
      : handler
      ? await handler(ctx)
      : notAvailableText(match.command);
    return { intent: match.command, params: {}, text };
  }
  const intent = match.kind === "intent" ? intentByName(match.intent) : undefined;
  if (!intent || match.kind !== "intent") {
    return { intent: "unknown", params: {}, text: unknownText() };
  }
  const answer = await answerIntent(deps.sql, intent, match.params, {
    asOf: deps.asOf,
    currency: ask.currency,
  });
  return { intent: intent.name, params: answer.params, text: answer.text };
}

/** Handles one signed inbound message. */
export async function handleInbound(deps: InboxDeps, msg: InboundMessage): Promise<InboundResult> {
  const clock = deps.clock ?? (() => performance.now());
  const started = clock();
  const sql = deps.sql;
  const sender = await deps.findSender(msg.phone);
  const id = await recordInbound(sql, msg, sender?.id ?? null);
  if (!id) return { replies: [], intent: "replay", params: {}, replay: true };

  if (!sender) {
    // One refusal per sender per day, decided under a per-number lock (concurrent messages).
    const replies = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('whatsapp.refusal:' || ${msg.phone}))`;
      const t = tx as unknown as postgres.Sql;
      await classifyInbound(t, id, "refused", {});
      if (await refusedRecently(t, msg.phone)) return [];
      await recordOutbound(t, [{
        replyTo: id,
        phone: msg.phone,
        recipientId: null,
        body: REFUSAL_TEXT,
        intent: "refused",
        params: {},
        latencyMs: clock() - started,
        delivery: "twiml",
      }]);
      return [REFUSAL_TEXT];
    });
    return { replies, intent: "refused", params: {}, replay: false };
  }

  await deps.touchInbound?.(msg.phone, new Date());
  const ctx: CommandContext = { sql, sender, inboundId: id, message: msg };
  const { intent, params, text } = await respond(deps, msg, ctx);
  const replies = text ? splitMessage(text) : [];
  await classifyInbound(sql, id, intent, params);
  const latencyMs = clock() - started;
  await recordOutbound(
    sql,
    replies.map((body) => ({
      replyTo: id,
      phone: msg.phone,
      recipientId: sender.id,
      body,
      intent,
      params,
      latencyMs,
      delivery: "twiml" as const,
    })),
  );
  return { replies, intent, params, replay: false };
}
