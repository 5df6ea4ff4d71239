/**
 * What the demo prints after a run: the KPI snapshot the metrics stage stored, and what the
 * brief and pulse stages produced (or that they are not enabled in pipeline.stage_defs).
 */
import type postgres from "postgres";
import type { RunStatus } from "../../supabase/functions/_shared/pipeline/runs.ts";

/** The headline facts the demo shows from the snapshot's brief payload. */
const HEADLINE = ["revenue.qtd", "win_rate.count", "pipeline.open", "coverage.quarter"];

async function printSnapshot(sql: postgres.Sql, runId: string): Promise<void> {
  const [snap] = await sql<
    { id: string; as_of: string; facts: { id: string; value: unknown }[] }[]
  >`
    select id::text, as_of::text, brief -> 'facts' as facts from analytics.snapshots
    where run_id = ${runId} order by created_at desc limit 1`;
  if (!snap) return;
  const facts = new Map(snap.facts.map((f) => [f.id, f.value]));
  console.log(
    `\nKPI snapshot ${snap.id} as of ${snap.as_of} (${facts.size} brief facts): ` +
      HEADLINE.map((id) => `${id}=${facts.get(id) ?? "n/a"}`).join(", "),
  );
}

/** Prints the run's outputs. */
export async function printOutputs(
  sql: postgres.Sql,
  _env: Record<string, string>,
  run: RunStatus,
): Promise<void> {
  await printSnapshot(sql, run.id);
  const off = run.stages.filter((s) => s.status === "skipped").map((s) => s.stage);
  if (off.length) {
    console.log(
      `\nStages ${off.join(" and ")} are not enabled in this build (pipeline.stage_defs.enabled).`,
    );
  }
}
