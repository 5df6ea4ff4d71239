/**
 * Helpers of the Stage_History sync tests: the simulator's Stage_History rows of every live deal
 * read through its API (exactly what Zoho serves the sync), compared with zoho.stage_history.
 */
import type postgres from "postgres";
import type { ZohoSim } from "../../../scripts/zoho-sim/server.ts";
import { accessToken } from "../../../scripts/zoho-sim/testing.ts";
import { STAGE_HISTORY_FIELDS } from "../_shared/sync/stage_history.ts";
import { splitListBody } from "../_shared/zoho/raw_json.ts";

/** Every live deal's Stage_History rows as the API serves them: deal id → raw row texts. */
export async function historyTruth(sim: ZohoSim): Promise<Map<string, string[]>> {
  const auth = await accessToken(sim);
  const out = new Map<string, string[]>();
  const ids = [...sim.controls.records.iterate("Deals")].map((d) => String(d.id));
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const rows: string[] = [];
      for (let page = 1;; page++) {
        const res = await fetch(
          `${auth.apiDomain}/crm/v7/Deals/${id}/Stage_History?fields=${
            STAGE_HISTORY_FIELDS.join(",")
          }&per_page=200&page=${page}`,
          { headers: { Authorization: `Zoho-oauthtoken ${auth.token}` } },
        );
        const text = await res.text();
        if (res.status !== 200) break;
        const body = splitListBody(text);
        rows.push(...body.records);
        if (body.info.more_records !== true) break;
      }
      out.set(id, rows);
    }
  }));
  return out;
}

/**
 * Differences between the newest stored version of every zoho.stage_history row and the truth,
 * by the sha256 of the jsonb text: `missing` (served, not stored or stored otherwise), `extra`
 * (stored, not served), and `total` rows served.
 */
export async function diffHistory(
  sql: postgres.Sql,
  truth: Map<string, string[]>,
): Promise<{ missing: string[]; extra: string[]; total: number }> {
  const lines = [...truth].flatMap(([deal, rows]) =>
    rows.map((r) => `{"d":${JSON.stringify(deal)},"r":${r}}`)
  );
  await sql`create table if not exists public.history_truth (deal_id text, row_id text,
    hash bytea)`;
  await sql`truncate history_truth`;
  for (let i = 0; i < lines.length; i += 2000) {
    await sql`insert into history_truth select e ->> 'd', e -> 'r' ->> 'id',
        sha256(convert_to((e -> 'r')::text, 'UTF8'))
      from jsonb_array_elements(${`[${lines.slice(i, i + 2000).join(",")}]`}::text::jsonb) e`;
  }
  const stored = sql`select distinct on (deal_id, row_id) deal_id, row_id,
      sha256(convert_to(data::text, 'UTF8')) as hash
    from zoho.stage_history order by deal_id, row_id, version desc`;
  const missing = await sql<{ key: string }[]>`select deal_id || '/' || row_id as key from (
      select deal_id, row_id, hash from history_truth except (${stored})) x order by 1 limit 20`;
  const extra = await sql<{ key: string }[]>`select deal_id || '/' || row_id as key from (
      (${stored}) except select deal_id, row_id, hash from history_truth) x order by 1 limit 20`;
  return {
    missing: missing.map((r) => r.key),
    extra: extra.map((r) => r.key),
    total: lines.length,
  };
}

/** Stage_History calls the simulator answered (its request log). */
export function historyCalls(sim: ZohoSim): number {
  return sim.controls.log.entries().filter((e) => e.path.endsWith("/Stage_History")).length;
}

/** One stage's row of analytics.stage_conversion, in hundredths where it is a decimal. */
export interface StageFigures {
  stage: string;
  entered: number;
  advanced: number;
  conversionPct: number | null;
  completed: number;
  avgDays: number | null;
  medianDays: number | null;
}

/** round(p ÷ q) half away from zero, for p, q ≥ 0 (Postgres numeric rounding), exactly. */
function roundDiv(p: number, q: number): number {
  return Math.floor((2 * p + q) / (2 * q));
}

/**
 * analytics.stage_conversion(as_of, 't12m') worked out apart from SQL, from the Stage_History
 * rows alone (the simulator's deals were last modified by their last stage move, so their first
 * version adds nothing): each row a stay from its Modified_Time, in time order (ties by row id),
 * a repeated stage no entry; advanced = a later entry of higher progress; days = to the next
 * entry, in hundredths rounded as numeric(…, 2); median = mean of the lower and upper middle.
 * Every entry must lie before the end of as_of (true of the simulator at its anchor).
 */
export function stageConversionFrom(
  truth: Map<string, string[]>,
  options: {
    t0: number;
    t1: number;
    ranks: Map<string, { position: number; progress: number | null }>;
  },
): StageFigures[] {
  const stays = new Map<string, { advanced: boolean; days: number | null }[]>();
  for (const rows of truth.values()) {
    const path = rows.map((r) =>
      JSON.parse(r) as { id: string; Stage: string; Modified_Time: string }
    )
      .map((r) => ({ id: r.id, stage: r.Stage, at: Date.parse(r.Modified_Time) / 1000 }))
      .sort((a, b) => a.at - b.at || a.id.length - b.id.length || (a.id < b.id ? -1 : 1))
      .filter((e, i, all) => i === 0 || all[i - 1]!.stage !== e.stage);
    path.forEach((e, i) => {
      if (e.at * 1000 >= options.t1) throw new Error(`Entry after as_of: ${e.stage} ${e.at}`);
      if (e.at * 1000 < options.t0) return;
      const progress = options.ranks.get(e.stage)?.progress ?? null;
      const later = path.slice(i + 1).map((x) => options.ranks.get(x.stage)?.progress ?? null);
      const next = path[i + 1];
      const list = stays.get(e.stage) ?? [];
      list.push({
        advanced: progress !== null && later.some((p) => p !== null && p > progress),
        days: next ? roundDiv(next.at - e.at, 864) : null,
      });
      stays.set(e.stage, list);
    });
  }
  return [...options.ranks].filter(([s, r]) => r.progress !== null && s !== "Closed Won")
    .sort((a, b) => a[1].position - b[1].position)
    .map(([stage]) => {
      const list = stays.get(stage) ?? [];
      const days = list.flatMap((s) => (s.days === null ? [] : [s.days])).sort((a, b) => a - b);
      const advanced = list.filter((s) => s.advanced).length;
      const mid = Math.ceil(days.length / 2) - 1;
      return {
        stage,
        entered: list.length,
        advanced,
        conversionPct: list.length ? roundDiv(10000 * advanced, list.length) : null,
        completed: days.length,
        avgDays: days.length ? roundDiv(days.reduce((a, b) => a + b, 0), days.length) : null,
        medianDays: days.length ? roundDiv(days[mid]! + days[days.length - 1 - mid]!, 2) : null,
      };
    });
}
