/**
 * The conversation log (whatsapp.conversation): inbound messages stored once per MessageSid
 * (a replay finds the first row and is not answered again), outbound replies linked to them,
 * and the per-sender refusal limit.
 */
import type postgres from "postgres";
import { databaseUnavailable } from "../db_errors.ts";
import { groupedPer, type GroupOptions } from "../group.ts";

/** A statement error is retried per message; a lost connection (maybe after the commit) not. */
const GROUP: GroupOptions = { retryAlone: (e) => databaseUnavailable(e) === undefined };

/** An inbound WhatsApp message as Twilio posted it (checked fields only). */
export interface InboundMessage {
  sid: string;
  /** E.164, without the "whatsapp:" prefix. */
  phone: string;
  body: string;
  profileName?: string;
}

/** A stored inbound message, its sender when a recipient, and the data version then. */
export interface Received {
  id: string;
  version: string;
  sender?: { id: string; name: string; phone: string };
}

/** What an inbound message was understood as: a command, an intent, unknown; null: not yet. */
export interface Classification {
  intent: string | null;
  params: Record<string, unknown>;
}

/** An inbound message and what it was understood as when it arrived. */
export interface Receiving {
  msg: InboundMessage;
  /** Null intent: classified later (by the model). */
  as?: Classification;
}

/** whatsapp.receive for messages that arrived together: one statement (see group.ts). */
const receiveGroup = groupedPer((sql: postgres.Sql) => async (items: Receiving[]) => {
  const rows = await sql`
    select id, recipient_id, name, phone, version from whatsapp.receive(${
    sql.json(items.map(({ msg, as = { intent: null, params: {} } }) => ({
      sid: msg.sid,
      phone: msg.phone,
      body: msg.body,
      intent: as.intent,
      params: as.params,
    })) as postgres.JSONValue)
  })`;
  return rows.map((row): Received | undefined =>
    row.id
      ? {
        id: row.id as string,
        version: String(row.version),
        sender: row.recipient_id
          ? { id: row.recipient_id as string, name: row.name as string, phone: row.phone as string }
          : undefined,
      }
      : undefined
  );
}, GROUP);

/**
 * Stores an inbound message (whatsapp.receive, one statement for the messages arriving together):
 * stored with its classification (a sender who is no recipient: 'refused'), the sender found
 * among whatsapp.recipients, the inbound time that opens WhatsApp's 24-hour window recorded
 * (never moving it backwards, as _shared/whatsapp/recipients.ts touchInbound does), and the data
 * version returned (answers are reused per version). Undefined when the MessageSid was already
 * stored: a replay.
 */
export function receive(sql: postgres.Sql, receiving: Receiving): Promise<Received | undefined> {
  return receiveGroup(sql, receiving);
}

/** An inbound message (by row id) and what it was understood as. */
export interface InboundClassified {
  id: string;
  intent: string;
  params: Record<string, unknown>;
}

/** What the inbound message was understood as. */
export async function classifyInbound(
  sql: postgres.Sql,
  { id, intent, params }: InboundClassified,
): Promise<void> {
  await sql`update whatsapp.conversation set intent = ${intent}, params = ${
    sql.json(params as postgres.JSONValue)
  }
    where id = ${id}`;
}

/** One outbound reply. */
export interface OutboundRecord {
  replyTo: string;
  phone: string;
  recipientId: string | null;
  body: string;
  intent: string;
  params: Record<string, unknown>;
  latencyMs: number;
  delivery: "twiml" | "queued";
  outboxId?: string | null;
}

function outboundRow(sql: postgres.Sql, r: OutboundRecord) {
  return {
    direction: "outbound",
    phone: r.phone,
    recipient_id: r.recipientId,
    body: r.body,
    intent: r.intent,
    params: sql.json(r.params as postgres.JSONValue),
    reply_to: r.replyTo,
    latency_ms: Math.max(0, Math.round(r.latencyMs)),
    delivery: r.delivery,
    outbox_id: r.outboxId ?? null,
  };
}

/** The replies of messages answered together: one insert (see group.ts). */
const outboundGroup = groupedPer((sql: postgres.Sql) => async (items: OutboundRecord[][]) => {
  await sql`insert into whatsapp.conversation ${sql(items.flat().map((r) => outboundRow(sql, r)))}`;
  return items.map(() => undefined);
}, GROUP);

/**
 * Stores the replies to an inbound message (one row per WhatsApp message) and, in the same
 * statement, what the inbound message was understood as when that was decided later (the
 * model). Replies alone are stored together with those of other messages answered meanwhile.
 */
export async function recordOutbound(
  sql: postgres.Sql,
  { rows, inbound }: { rows: OutboundRecord[]; inbound?: InboundClassified },
): Promise<void> {
  if (!rows.length) {
    if (inbound) await classifyInbound(sql, inbound);
    return;
  }
  if (!inbound) return await outboundGroup(sql, rows);
  await sql`with c as (update whatsapp.conversation set intent = ${inbound.intent},
      params = ${sql.json(inbound.params as postgres.JSONValue)} where id = ${inbound.id})
    insert into whatsapp.conversation ${sql(rows.map((r) => outboundRow(sql, r)))}`;
}

/** True when `phone` was refused within the last `hours` (one polite refusal per window). */
export async function refusedRecently(
  sql: postgres.Sql,
  { phone, hours = 24 }: { phone: string; hours?: number },
): Promise<boolean> {
  const [row] = await sql`
    select exists (
      select from whatsapp.conversation
      where phone = ${phone} and direction = 'outbound' and intent = 'refused'
        and created_at > now() - make_interval(hours => ${hours})
    ) as refused`;
  return row?.refused === true;
}
