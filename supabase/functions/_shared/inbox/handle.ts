/**
 * One inbound WhatsApp message, after its signature was checked: stored once per MessageSid (a
 * replay gets no second answer), refused politely (once a day) when the sender is no recipient,
 * else mapped to a command or a registry intent and answered from SQL. Every reply is logged with
 * the intent, parameters and latency. Commands that belong to other features are injected.
 */
import type postgres from "postgres";
import { answerIntent, loadAskContext } from "../ask/answer.ts";
import { intentByName } from "../ask/intents.ts";
import { type Match, matchMessage, type Vocabulary } from "../ask/matcher.ts";
import { createLogger } from "../log.ts";
import { detectCommand } from "./commands/detect.ts";
import { COMMANDS } from "./commands/index.ts";
import type { CommandContext, CommandHandler, Sender } from "./commands/types.ts";
import { REFUSAL_TEXT, unknownText } from "./help.ts";
import {
  type Classification,
  classifyInbound,
  type InboundMessage,
  receive,
  recordOutbound,
  refusedRecently,
} from "./conversation.ts";
import { splitMessage } from "./split.ts";

const log = createLogger("whatsapp-webhook");

/** A model that maps text to a match; throws when unreachable (the keyword matcher then runs). */
export type ModelMatcher = (text: string, vocab: Vocabulary) => Promise<Match>;

/** What handling a message needs. */
export interface InboxDeps {
  sql: postgres.Sql;
  /** Each command's handler by name (commands/index.ts commandHandlers). */
  commands: Record<string, CommandHandler>;
  model?: ModelMatcher;
  /** Answer as of this day (YYYY-MM-DD) instead of today. */
  asOf?: string;
  /** Milliseconds clock for latency (default performance.now). */
  clock?: () => number;
  /** With a model: acknowledge at once and deliver the answer through the outbox. */
  later?: Later;
}

/** The replies to send now (as TwiML) and how the message was understood. */
export interface InboundResult {
  replies: string[];
  intent: string;
  params: Record<string, unknown>;
  replay: boolean;
}

/** Sends a reply later through the outbox (kind "reply", ref = the inbound message); returns
 * the outbox row's id. */
export type LaterDelivery = (reply: {
  inboundId: string;
  sender: Sender;
  body: string;
}) => Promise<string | undefined>;

/** How slow answers leave: acknowledged in the TwiML reply, delivered through the outbox. */
export interface Later {
  deliver: LaterDelivery;
  /** Keeps background work alive after the response (EdgeRuntime.waitUntil when deployed). */
  background?: (work: Promise<unknown>) => void;
}

/** The acknowledgement of an answer that follows through the outbox. */
export const ACK_TEXT = "One moment, looking that up.";

/** How a message was read: a whole-message command, else the question matcher's match. */
type Reading = { kind: "command"; command: string } | Match;

/** The model's match of `text`, or `keyword` when the model is unreachable. */
async function modelMatch(
  deps: InboxDeps,
  { text, vocab, keyword }: { text: string; vocab: Vocabulary; keyword: Reading },
) {
  try {
    return await deps.model!(text, vocab);
  } catch (e) {
    log.warn("model matcher unavailable, keyword match used", e);
    return keyword;
  }
}

async function respond(
  deps: InboxDeps,
  { match, ctx, currency }: { match: Reading; ctx: CommandContext; currency: string },
) {
  if (match.kind === "command") {
    const handler = deps.commands[match.command];
    if (!handler) throw new Error(`no handler for the command ${match.command}`);
    return { intent: match.command, params: {}, text: await handler(ctx) };
  }
  const intent = match.kind === "intent" ? intentByName(match.intent) : undefined;
  if (!intent || match.kind !== "intent") {
    return { intent: "unknown", params: {}, text: unknownText(ctx.message.body) };
  }
  const answer = await answerIntent(deps.sql, intent, match.params, {
    asOf: deps.asOf,
    currency,
    version: ctx.version,
    refused: match.refused,
  });
  return { intent: intent.name, params: answer.params, text: answer.text };
}

async function refuse(
  deps: InboxDeps,
  { msg, id, latencyMs }: { msg: InboundMessage; id: string; latencyMs: () => number },
) {
  // One refusal per sender per day, decided under a per-number lock (concurrent messages).
  return await deps.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('whatsapp.refusal:' || ${msg.phone}))`;
    const t = tx as unknown as postgres.Sql;
    if (await refusedRecently(t, { phone: msg.phone })) return [];
    await recordOutbound(t, {
      rows: [{
        replyTo: id,
        phone: msg.phone,
        recipientId: null,
        body: REFUSAL_TEXT,
        intent: "refused",
        params: {},
        latencyMs: latencyMs(),
        delivery: "twiml",
      }],
    });
    return [REFUSAL_TEXT];
  });
}

/** What answering later needs besides the dependencies. */
interface LaterAnswer {
  ctx: CommandContext;
  /** The keyword matcher's reading, used when the model is unreachable. */
  keyword: Reading;
  currency: string;
  latencyMs: () => number;
}

/** Answers with the model in the background; the answer follows through the outbox. */
async function answerLater(deps: InboxDeps, { ctx, keyword, currency, latencyMs }: LaterAnswer) {
  const ask = await loadAskContext(deps.sql);
  const match = await modelMatch(deps, { text: ctx.message.body, vocab: ask, keyword });
  const { intent, params, text } = await respond(deps, { match, ctx, currency });
  await classifyInbound(deps.sql, { id: ctx.inboundId, intent, params });
  // One outbox row per inbound message: a longer answer is cut at WhatsApp's limit.
  const body = splitMessage(text)[0] ?? "";
  const outboxId = await deps.later!.deliver({
    inboundId: ctx.inboundId,
    sender: ctx.sender,
    body,
  });
  await recordOutbound(deps.sql, {
    rows: [{
      replyTo: ctx.inboundId,
      phone: ctx.sender.phone,
      recipientId: ctx.sender.id,
      body,
      intent,
      params,
      latencyMs: latencyMs(),
      delivery: "queued",
      outboxId,
    }],
  });
}

/** What a keyword match is stored as (the parameters as the intent will use them). */
function classification(match: Reading): Classification {
  if (match.kind === "command") return { intent: match.command, params: {} };
  const intent = match.kind === "intent" ? intentByName(match.intent) : undefined;
  if (!intent || match.kind !== "intent") return { intent: "unknown", params: {} };
  return { intent: intent.name, params: intent.parseParams(match.params) };
}

/**
 * Handles one signed inbound message. The keyword matcher runs first (the vocabulary is cached),
 * so the message is stored already classified and a cached answer costs two statements: the
 * inbound row (whatsapp.receive) and the reply's.
 */
export async function handleInbound(deps: InboxDeps, msg: InboundMessage): Promise<InboundResult> {
  const clock = deps.clock ?? (() => performance.now());
  const started = clock();
  const latencyMs = () => clock() - started;
  const sql = deps.sql;
  const ask = await loadAskContext(sql);
  const command = detectCommand(msg.body, COMMANDS);
  const keyword: Reading = command
    ? { kind: "command", command: command.name }
    : matchMessage(msg.body, ask);
  // With a model, questions are classified once the model has chosen.
  const viaModel = deps.model !== undefined && keyword.kind !== "command";
  const received = await receive(sql, { msg, as: viaModel ? undefined : classification(keyword) });
  if (!received) return { replies: [], intent: "replay", params: {}, replay: true };
  const { id, sender } = received;
  if (!sender) {
    const replies = await refuse(deps, { msg, id, latencyMs });
    return { replies, intent: "refused", params: {}, replay: false };
  }

  const ctx: CommandContext = {
    sql,
    sender,
    inboundId: id,
    message: msg,
    version: received.version,
  };
  let reply: { intent: string; params: Record<string, unknown>; text: string };
  if (viaModel && deps.later) {
    const later = { ctx, keyword, currency: ask.currency, latencyMs };
    const work = answerLater(deps, later).catch((e) => log.error("a later answer failed", e));
    (deps.later.background ?? ((w) => void w))(work);
    reply = { intent: "pending", params: {}, text: ACK_TEXT };
  } else {
    const match = viaModel
      ? await modelMatch(deps, { text: msg.body, vocab: ask, keyword })
      : keyword;
    reply = await respond(deps, { match, ctx, currency: ask.currency });
  }
  const replies = splitMessage(reply.text);
  await recordOutbound(sql, {
    rows: replies.map((body) => ({
      replyTo: id,
      phone: msg.phone,
      recipientId: sender.id,
      body,
      intent: reply.intent,
      params: reply.params,
      latencyMs: latencyMs(),
      delivery: "twiml" as const,
    })),
    inbound: viaModel && reply.intent !== "pending"
      ? { id, intent: reply.intent, params: reply.params }
      : undefined,
  });
  return { replies, intent: reply.intent, params: reply.params, replay: false };
}
