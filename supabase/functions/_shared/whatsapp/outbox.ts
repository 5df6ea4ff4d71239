/**
 * The outbox every outbound WhatsApp message goes through: a row per (kind, ref, recipient),
 * claimed (committed as `sending`) before Twilio is called and marked (`sent`, `failed` or
 * `retry`) after. A crash between the two leaves the row in `sending`, which no later call sends
 * again: the message may have left and Twilio's API has no idempotency key to ask, so at most
 * once wins over at least once. Only refusals that prove nothing left (429, refused connection)
 * become `retry`, bounded by MAX_ATTEMPTS. Issue 12's replies and follow-ups use the same rows.
 */
import type postgres from "postgres";
import { OUTSIDE_WINDOW, type Sender, TwilioSendError } from "./twilio.ts";

/** Attempts before a retryable message is given up. */
export const MAX_ATTEMPTS = 3;

/** WhatsApp's customer-service window after the recipient's last inbound message. */
export const WINDOW_MS = 24 * 3600 * 1000;

/** A message to queue for one recipient. */
export interface OutboxMessage {
  kind: "pulse" | "reply" | "followup";
  refId: string;
  recipientId: string;
  body: string;
  contentSid?: string | null;
  contentVariables?: Record<string, string> | null;
}

/** An outbox row with its recipient's phone and window. */
export interface OutboxRow {
  id: string;
  kind: string;
  ref_id: string;
  recipient_id: string;
  body: string;
  content_sid: string | null;
  content_variables: Record<string, string> | null;
  status: string;
  attempts: number;
  phone: string;
  last_inbound_at: Date | null;
}

/** Counts of one delivery pass. */
export interface DeliveryCounts {
  sent: number;
  skipped: number;
  failed: number;
  retry: number;
}

/** Queues messages; an existing (kind, ref, recipient) row is left as it is. */
export async function enqueue(sql: postgres.Sql, messages: OutboxMessage[]): Promise<number> {
  if (!messages.length) return 0;
  const rows = messages.map((m) => ({
    kind: m.kind,
    ref_id: m.refId,
    recipient_id: m.recipientId,
    body: m.body,
    content_sid: m.contentSid ?? null,
    content_variables: m.contentVariables ?? null,
  }));
  const inserted = await sql`
    insert into whatsapp.outbox ${
    sql(rows, "kind", "ref_id", "recipient_id", "body", "content_sid", "content_variables")
  }
    on conflict (kind, ref_id, recipient_id) do nothing
    returning id`;
  return inserted.length;
}

/** Claims a row for sending (commits `sending` before any call); undefined when taken. */
export async function claim(sql: postgres.Sql, id: string): Promise<OutboxRow | undefined> {
  const [row] = await sql<OutboxRow[]>`
    with c as (
      update whatsapp.outbox o set status = 'sending', attempts = o.attempts + 1,
        claimed_at = now()
      from whatsapp.recipients r
      where o.id = ${id} and r.id = o.recipient_id and r.opted_in
        and (o.status = 'pending' or (o.status = 'retry' and o.attempts < ${MAX_ATTEMPTS}))
      returning o.*, r.phone, r.last_inbound_at
    )
    select * from c`;
  return row;
}

/** Marks a claimed row as sent with Twilio's message sid. */
export async function markSent(
  sql: postgres.Sql,
  sent: { id: string; sid: string; status: string; mode: "text" | "template" },
): Promise<void> {
  await sql`
    update whatsapp.outbox set status = 'sent', sent_at = now(), twilio_sid = ${sent.sid},
      delivery_status = ${sent.status}, delivery_updated_at = now(), mode = ${sent.mode},
      error_code = null, error_message = null
    where id = ${sent.id} and status = 'sending'`;
}

/** Marks a claimed row as failed, or as retry when the refusal proves nothing left. */
export async function markFailed(
  sql: postgres.Sql,
  failure: { id: string; error: TwilioSendError; mode: "text" | "template" },
): Promise<"failed" | "retry"> {
  const { id, error, mode } = failure;
  const [row] = await sql<{ status: "failed" | "retry" }[]>`
    update whatsapp.outbox set
      status = case when ${error.safeToRetry} and attempts < ${MAX_ATTEMPTS} then 'retry'
        else 'failed' end,
      error_code = ${error.code}, error_message = ${error.message.slice(0, 500)}, mode = ${mode}
    where id = ${id} and status = 'sending'
    returning status`;
  return row?.status ?? "failed";
}

/** Whether the recipient wrote within the last 24 hours (free text allowed). */
export function inWindow(lastInboundAt: Date | null, now: Date): boolean {
  return !!lastInboundAt && now.getTime() - lastInboundAt.getTime() < WINDOW_MS;
}

/** Hooks for tests: called after the claim commits, before Twilio is called. */
export interface DeliverOptions {
  now?: () => Date;
  afterClaim?: (row: OutboxRow) => Promise<void> | void;
}

/** Sends every pending (or retryable) row of (kind, ref) through `send`, claim → send → mark. */
export async function deliver(
  sql: postgres.Sql,
  ref: { kind: string; refId: string },
  options: DeliverOptions & { send: Sender },
): Promise<DeliveryCounts> {
  const { send } = options;
  const now = options.now ?? (() => new Date());
  const counts: DeliveryCounts = { sent: 0, skipped: 0, failed: 0, retry: 0 };
  const rows = await sql<{ id: string; status: string }[]>`
    select id, status from whatsapp.outbox where kind = ${ref.kind} and ref_id = ${ref.refId}
    order by created_at, id`;
  for (const { id } of rows) {
    const row = await claim(sql, id);
    if (!row) {
      counts.skipped++;
      continue;
    }
    await options.afterClaim?.(row);
    const template = !inWindow(row.last_inbound_at, now()) && !!row.content_sid;
    const outcome = await sendRow(sql, { send, row, template });
    counts[outcome]++;
  }
  return counts;
}

async function sendRow(
  sql: postgres.Sql,
  attempt: { send: Sender; row: OutboxRow; template: boolean },
): Promise<"sent" | "failed" | "retry"> {
  const { send, row, template } = attempt;
  const mode = template ? "template" : "text";
  try {
    const sent = await send(
      template
        ? { to: row.phone, contentSid: row.content_sid!, contentVariables: row.content_variables! }
        : { to: row.phone, body: row.body },
    );
    await markSent(sql, { id: row.id, ...sent, mode });
    return "sent";
  } catch (e) {
    if (!(e instanceof TwilioSendError)) throw e;
    // Free text refused as outside the window (our last_inbound_at was stale): nothing left,
    // so the template goes at once.
    if (!template && e.code === OUTSIDE_WINDOW && row.content_sid) {
      return await sendRow(sql, { send, row, template: true });
    }
    return await markFailed(sql, { id: row.id, error: e, mode });
  }
}
