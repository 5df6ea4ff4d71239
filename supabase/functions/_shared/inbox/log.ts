/**
 * The conversation log (whatsapp.conversation): inbound messages stored once per MessageSid
 * (a replay finds the first row and is not answered again), outbound replies linked to them,
 * and the per-sender refusal limit.
 */
import type postgres from "postgres";

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

/**
 * Stores an inbound message in one round trip: finds the sender among whatsapp.recipients,
 * records the inbound time that opens WhatsApp's 24-hour window (never moving it backwards, as
 * _shared/whatsapp/recipients.ts touchInbound does) and returns the data version (answers are
 * reused per version). Undefined when the MessageSid was already stored: a replay.
 */
export async function receive(
  sql: postgres.Sql,
  msg: InboundMessage,
): Promise<Received | undefined> {
  const [row] = await sql`
    with r as (
      select id, name, phone from whatsapp.recipients where phone = ${msg.phone}
    ),
    t as (
      update whatsapp.recipients set last_inbound_at = greatest(last_inbound_at, now()),
        updated_at = now()
      where phone = ${msg.phone}
    ),
    i as (
      insert into whatsapp.conversation (direction, message_sid, phone, recipient_id, body,
        delivery)
      select 'inbound', ${msg.sid}, ${msg.phone}, (select id from r), ${msg.body}, 'received'
      on conflict (message_sid) where direction = 'inbound' do nothing
      returning id
    )
    select (select id from i) as id, r.id as recipient_id, r.name, r.phone,
      ask.data_version() as version
    from (select 1) one left join r on true`;
  if (!row?.id) return undefined;
  return {
    id: row.id as string,
    version: String(row.version),
    sender: row.recipient_id
      ? { id: row.recipient_id as string, name: row.name as string, phone: row.phone as string }
      : undefined,
  };
}

/** What the inbound message was understood as. */
export async function classifyInbound(
  sql: postgres.Sql,
  id: string,
  intent: string,
  params: Record<string, unknown>,
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

/**
 * Stores the replies to an inbound message (one row per WhatsApp message) and, in the same
 * statement, what the inbound message was understood as (one round trip).
 */
export async function recordOutbound(
  sql: postgres.Sql,
  rows: OutboundRecord[],
  inbound?: { id: string; intent: string; params: Record<string, unknown> },
): Promise<void> {
  if (!rows.length) {
    if (inbound) await classifyInbound(sql, inbound.id, inbound.intent, inbound.params);
    return;
  }
  const classify = inbound
    ? sql`with c as (update whatsapp.conversation set intent = ${inbound.intent},
        params = ${sql.json(inbound.params as postgres.JSONValue)} where id = ${inbound.id})`
    : sql``;
  await sql`${classify} insert into whatsapp.conversation ${
    sql(rows.map((r) => ({
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
    })))
  }`;
}

/** True when `phone` was refused within the last `hours` (one polite refusal per window). */
export async function refusedRecently(
  sql: postgres.Sql,
  phone: string,
  hours = 24,
): Promise<boolean> {
  const [row] = await sql`
    select exists (
      select from whatsapp.conversation
      where phone = ${phone} and direction = 'outbound' and intent = 'refused'
        and created_at > now() - make_interval(hours => ${hours})
    ) as refused`;
  return row?.refused === true;
}
