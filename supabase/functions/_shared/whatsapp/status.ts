/**
 * Twilio status callbacks (read and verified by twilioRequest, against the URL we gave Twilio:
 * TWILIO_STATUS_CALLBACK_URL, not the URL the gateway saw): the outbox row of the MessageSid gets the new delivery state. Callbacks can arrive out of order, so
 * a state never moves back (queued < sent < delivered < read; failed and undelivered are final).
 */
import type postgres from "postgres";
import { type FormParams, formValue } from "./twilio_request.ts";

const RANK: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  undelivered: 6,
  failed: 6,
  canceled: 6,
};

/** Applies a status callback; returns whether an outbox row took the new state. */
export async function applyStatus(sql: postgres.Sql, form: FormParams): Promise<boolean> {
  const get = (name: string) => formValue(form, name);
  const sid = get("MessageSid") ?? get("SmsSid");
  const status = (get("MessageStatus") ?? get("SmsStatus") ?? "").toLowerCase();
  if (!sid || !(status in RANK)) return false;
  const errorCode = get("ErrorCode");
  const code = errorCode ? Number(errorCode) : null;
  const rows = await sql`
    update whatsapp.outbox set delivery_status = ${status}, delivery_updated_at = now(),
      error_code = coalesce(${Number.isFinite(code) ? code : null}::integer, error_code)
    where twilio_sid = ${sid}
      and coalesce((${sql.json(RANK)}::jsonb ->> delivery_status)::int, 0) < ${RANK[status]!}
    returning id`;
  return rows.length > 0;
}
