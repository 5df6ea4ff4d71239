/**
 * Replies that leave after the HTTP response go through the one outbox (_shared/whatsapp): a row
 * of kind "reply" per inbound message (ref = its conversation id, so it is sent at most once),
 * then the outbox's claim → send → mark pass with the Twilio sender.
 */
import type postgres from "postgres";
import { deliver, enqueue } from "../whatsapp/outbox.ts";
import type { Sender as TwilioSender } from "../whatsapp/twilio.ts";
import type { LaterDelivery } from "./handle.ts";

/** Delivers later replies through the outbox with `send`; returns the outbox row's id. */
export function outboxDelivery(sql: postgres.Sql, send: TwilioSender): LaterDelivery {
  return async ({ inboundId, sender, body }) => {
    await enqueue(sql, [{ kind: "reply", refId: inboundId, recipientId: sender.id, body }]);
    const [row] = await sql`select id from whatsapp.outbox
      where kind = 'reply' and ref_id = ${inboundId} and recipient_id = ${sender.id}`;
    await deliver(sql, { kind: "reply", refId: inboundId }, { send });
    return row?.id as string | undefined;
  };
}
