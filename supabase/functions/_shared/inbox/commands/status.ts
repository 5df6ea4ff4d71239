/**
 * The `status` command: when the CRM data was last synced, the latest KPI snapshot and brief,
 * and the latest pipeline run with its stages (when the pipeline is deployed).
 */
import { recentRuns } from "../../pipeline/runs.ts";
import type { CommandContext, WhatsAppCommand } from "./types.ts";

const at = (v: unknown) =>
  (v instanceof Date ? v.toISOString() : String(v)).slice(0, 16)
    .replace("T", " ") + " UTC";

async function statusReply({ sql }: CommandContext): Promise<string> {
  const [sync] = await sql`select finished_at, status, mode from ask.last_sync()`;
  const [snap] = await sql`select as_of::text, created_at from analytics.snapshots
    order by created_at desc limit 1`;
  const [brief] = await sql`select model, created_at from brief.briefs
    order by created_at desc limit 1`;
  const [run] = await recentRuns(sql, 1);
  const lines = [
    run
      ? `Last run ${run.id.slice(0, 8)} (${run.trigger}): ${run.status}, started ${
        at(run.started_at)
      }. Stages: ${run.stages.map((s) => `${s.stage} ${s.status}`).join(", ")}.`
      : "No pipeline run yet.",
    sync
      ? `Last sync: ${sync.mode} ${sync.status}, last progress ${at(sync.finished_at)}.`
      : "No sync yet.",
    snap
      ? `Latest KPI snapshot: as of ${snap.as_of}, computed ${at(snap.created_at)}.`
      : "No KPI snapshot yet.",
    brief
      ? `Latest brief: written ${at(brief.created_at)} (${
        brief.model === "rules" ? "rules, no model" : `model ${brief.model}`
      }).`
      : "No brief yet.",
  ];
  return lines.join("\n");
}

/** The data's freshness and the latest run. */
export const status: WhatsAppCommand = {
  name: "status",
  phrases: ["status", "run status", "pipeline status"],
  help: "data freshness",
  handler: () => statusReply,
};
