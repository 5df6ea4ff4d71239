/**
 * The `sync` command: starts a pipeline run with the pipeline's own startRun (as the dashboard's
 * Refresh does) and answers that it was queued; the run's pulse stage sends the pulse to opted-in
 * recipients when it finishes. A run already going is reported, not doubled.
 */
import { RunBusyError, RunStateError, startRun } from "../../pipeline/runs.ts";
import { createLogger } from "../../log.ts";
import { byId } from "../../whatsapp/recipients.ts";
import type { CommandContext, WhatsAppCommand } from "./types.ts";

const log = createLogger("whatsapp-webhook");

async function syncReply({ sql, sender }: CommandContext): Promise<string> {
  const r = await byId(sql, sender.id);
  const after = r?.opted_in
    ? "The pulse follows when it finishes."
    : "You opted out of the pulse: send pulse when it finishes (or start to opt back in).";
  try {
    const run = await startRun(sql, "whatsapp");
    return `Sync queued (run ${run.id.slice(0, 8)}): sync → metrics → brief → pulse. ${after}`;
  } catch (e) {
    if (e instanceof RunBusyError) {
      return `A run is already going (run ${e.runningRunId.slice(0, 8)}). ${after}`;
    }
    if (!(e instanceof RunStateError)) throw e;
    // E.g. the Vault secrets pg_net needs are missing: the admin's to fix, not the sender's.
    log.warn("sync could not start a run", e);
    return "Sync could not start: the pipeline is not set up here. Please tell your admin.";
  }
}

/** Starts a pipeline run. */
export const sync: WhatsAppCommand = {
  name: "sync",
  phrases: ["sync", "resync", "refresh", "sync now", "update data"],
  help: "fresh data",
  handler: () => syncReply,
};
