/**
 * Sending a stored brief's pulse: one outbox row per opted-in recipient (the free text and the
 * content template with its variables), then the outbox's claim → send → mark pass. Calling it
 * again for the same brief sends nothing new: the rows exist and are no longer pending.
 */
import type postgres from "postgres";
import { deliver, type DeliverOptions, type DeliveryCounts, enqueue } from "./outbox.ts";
import { optedIn } from "./recipients.ts";
import type { Sender } from "./twilio.ts";

/** What of a stored brief (brief/store.ts) its pulse is sent from. */
export interface PulseOfBrief {
  id: string;
  pulse: string;
  pulse_variables: Record<string, string>;
}

/** Delivery counts of a brief's pulse, with how many rows this call queued. */
export interface PulseDelivery extends DeliveryCounts {
  brief_id: string;
  queued: number;
  /** Opted-in recipients now (the pulse goes to each once). */
  recipients: number;
  /** Said when nobody could be sent to: a `send: true` that reached no one says so. */
  note?: string;
}

/** The note of a delivery that had nobody to send to. */
export const NO_RECIPIENTS = "No opted-in recipient: the pulse was not sent to anyone (add one " +
  "to whatsapp.recipients with opted_in = true)";

/** Queues and sends the pulse of `brief` to every opted-in recipient. */
export async function sendPulse(
  sql: postgres.Sql,
  brief: PulseOfBrief,
  options: { send: Sender; contentSid?: string } & DeliverOptions,
): Promise<PulseDelivery> {
  const recipients = await optedIn(sql);
  const queued = await enqueue(
    sql,
    recipients.map((r) => ({
      kind: "pulse" as const,
      refId: brief.id,
      recipientId: r.id,
      body: brief.pulse,
      contentSid: options.contentSid ?? null,
      contentVariables: brief.pulse_variables,
    })),
  );
  const counts = await deliver(sql, { kind: "pulse", refId: brief.id }, options);
  return {
    brief_id: brief.id,
    queued,
    ...counts,
    recipients: recipients.length,
    ...(recipients.length === 0 ? { note: NO_RECIPIENTS } : {}),
  };
}
