/**
 * Twilio status callbacks: the signature is checked with the twilio package's validator against
 * the URL we gave Twilio (TWILIO_STATUS_CALLBACK_URL, not the URL the gateway saw), then the
 * outbox row of the MessageSid gets the new delivery state. Callbacks can arrive out of order, so
 * a state never moves back (queued < sent < delivered < read; failed and undelivered are final).
 */
import type postgres from "postgres";
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";

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

/** Whether a form post carries a valid X-Twilio-Signature for `url`. */
export function validSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return validateRequest(authToken, signature, url, params);
}

/** Applies a status callback; returns whether an outbox row took the new state. */
export async function applyStatus(
  sql: postgres.Sql,
  params: Record<string, string>,
): Promise<boolean> {
  const sid = params.MessageSid ?? params.SmsSid;
  const status = (params.MessageStatus ?? params.SmsStatus ?? "").toLowerCase();
  if (!sid || !(status in RANK)) return false;
  const code = params.ErrorCode ? Number(params.ErrorCode) : null;
  const rows = await sql`
    update whatsapp.outbox set delivery_status = ${status}, delivery_updated_at = now(),
      error_code = coalesce(${Number.isFinite(code) ? code : null}::integer, error_code)
    where twilio_sid = ${sid}
      and coalesce((${sql.json(RANK)}::jsonb ->> delivery_status)::int, 0) < ${RANK[status]!}
    returning id`;
  return rows.length > 0;
}
