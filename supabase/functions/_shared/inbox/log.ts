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

/** A stored inbound message and the data version at that moment (`ask.data_version()`). */
export interface Received {
  id: string;
  version: string;
}

/**
 * Stores an inbound message; undefined when its MessageSid was already stored (a replay). The
 * data version comes back in the same round trip (answers are reused per version).
 */
export async function recordInbound(
  sql: postgres.Sql,
  msg: InboundMessage,
  recipientId: string | null,
): Promise<Received | undefined> {
  const [row] = await sql`
    insert into whatsapp.conversation (direction, message_sid, phone, recipient_id, body, delivery)
    values ('inbound', ${msg.sid}, ${msg.phone}, ${recipientId}, ${msg.body}, 'received')
    on conflict (message_sid) where direction = 'inbound' do nothing
    returning id, ask.data_version() as version`;
  return row ? { id: row.id as string, version: String(row.version) } : undefined;
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
