/**
 * What the demo prints after a run: the KPI snapshot the metrics stage stored, the brief the brief
 * stage wrote (saying plainly when it is the rules brief), and the pulse as the Twilio sink
 * received it (read back through Twilio's own list API, as one would from Twilio).
 */
import type postgres from "postgres";
import type { RunStatus } from "../../supabase/functions/_shared/pipeline/runs.ts";

/** The headline facts the demo shows from the snapshot's brief payload. */
const HEADLINE = ["revenue.qtd", "win_rate.count", "pipeline.open", "coverage.quarter"];

type Part = { text: string };
interface BriefRow {
  id: string;
  model: string;
  fallback_reason: string | null;
  pulse: string;
  content: { headline: Part; critical_gap: Part; immediate_action: Part; insights: Part[] };
}

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

async function printBrief(sql: postgres.Sql, runId: string): Promise<BriefRow | undefined> {
  const [brief] = await sql<BriefRow[]>`
    select id::text, model, fallback_reason, pulse, content from brief.briefs
    where run_id = ${runId} order by created_at desc limit 1`;
  if (!brief) return undefined;
  const c = brief.content;
  // "Cannot reach Ollama at <host>: error sending request ...": the first clause says it.
  const reason = brief.fallback_reason?.split(": error")[0];
  const who = brief.model === "rules"
    ? `the rules brief, written by deterministic rules from the same snapshot because no model ` +
      `answered${reason ? ` (${reason})` : ""}`
    : `written by ${brief.model}, every number checked against the snapshot`;
  console.log(`\nCRO brief ${brief.id}, ${who}:`);
  console.log(`  ${c.headline.text}`);
  console.log(`  Critical gap: ${c.critical_gap.text}`);
  console.log(`  Immediate action: ${c.immediate_action.text}`);
  for (const i of c.insights) console.log(`  - ${i.text}`);
  return brief;
}

interface SinkMessage {
  to: string;
  body: string;
  status: string;
  date_created: string;
}

/** The messages the Twilio sink received since `since`, through Twilio's list API. */
async function sinkMessages(env: Record<string, string>, since: Date): Promise<SinkMessage[]> {
  if (!env.TWILIO_API_URL) return [];
  const sid = env.TWILIO_ACCOUNT_SID!;
  const res = await fetch(
    `${env.TWILIO_API_URL}/2010-04-01/Accounts/${sid}/Messages.json?PageSize=1000`,
    {
      headers: { authorization: "Basic " + btoa(`${sid}:${env.TWILIO_AUTH_TOKEN}`) },
    },
  );
  if (!res.ok) {
    await res.body?.cancel();
    return [];
  }
  const { messages } = await res.json() as { messages: SinkMessage[] };
  return messages.filter((m) => new Date(m.date_created).getTime() >= since.getTime() - 1000);
}

/** Prints the run's outputs. */
export async function printOutputs(
  sql: postgres.Sql,
  { env, run }: { env: Record<string, string>; run: RunStatus },
): Promise<void> {
  await printSnapshot(sql, run.id);
  const brief = await printBrief(sql, run.id);
  const pulse = run.stages.find((s) => s.stage === "pulse");
  if (brief && pulse?.status === "succeeded") {
    const received = await sinkMessages(env, new Date(run.started_at));
    const counts = pulse.counts;
    console.log(
      `\nWhatsApp pulse (${brief.pulse.length} characters): ${counts.sent ?? 0} sent, ` +
        `${counts.skipped ?? 0} already sent before, ${counts.failed ?? 0} refused. ` +
        `The Twilio sink (${env.TWILIO_API_URL}) received:`,
    );
    for (const m of received) {
      console.log(`  to ${m.to} (${m.status}):\n    ${m.body.replaceAll("\n", "\n    ")}`);
    }
    if (received.length === 0) console.log("  nothing new in this run (each pulse goes out once)");
  }
  const off = run.stages.filter((s) => s.status === "skipped").map((s) => s.stage);
  if (off.length) {
    console.log(
      `\nStages ${off.join(" and ")} are not enabled in this build (pipeline.stage_defs.enabled).`,
    );
  }
}
