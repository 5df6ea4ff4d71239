/**
 * Sync-shaped writes for `deno task bench metrics`, sent through the real sync writer
 * (writeRecords, so the write-time fact triggers run exactly as after a production sync):
 * a daily delta before the timed snapshot (ending as a sync slice ends: settled), and
 * the ingest overhead of the fact triggers.
 * Callers run them inside a transaction they roll back, so the bench database stays as loaded.
 */
import type postgres from "postgres";
import { writeRecords } from "../../supabase/functions/_shared/sync/writer.ts";

const PAGE = 200; // Zoho's page size: the writer gets one page per statement

type Tx = postgres.TransactionSql;

/** Writes `texts` of `module` through the writer, a page per statement. */
async function writePages(tx: Tx, pages: { module: string; texts: string[] }): Promise<void> {
  const { module, texts } = pages;
  for (let i = 0; i < texts.length; i += PAGE) {
    await writeRecords(tx, { module, records: texts.slice(i, i + PAGE), runId: null });
  }
}

/** Record texts of `module` changed the way a day of CRM work changes them (newer Modified_Time). */
async function changed(
  tx: Tx,
  change: { module: string; n: number; edit: string },
): Promise<string[]> {
  const { module, n, edit } = change;
  const rows = await tx.unsafe(
    `select (${edit} || jsonb_build_object('Modified_Time', '2026-03-04T18:00:00+00:00'))::text
       as t
     from zoho.records r where module = $1 and deleted_at is null
     order by id limit $2`,
    [module, n],
  );
  return rows.map((r) => r.t as string);
}

/** A daily sync delta: new and changed leads, deals moving stage (new versions), new calls. */
export async function dailyDelta(
  tx: Tx,
  scale: number,
): Promise<{ written: number; settleMs: number }> {
  const newLeads = await tx.unsafe(
    `select (data || jsonb_build_object('id', 'bench-new-' || id))::text as t
     from zoho.records where module = 'Leads' order by id desc limit $1`,
    [scale],
  );
  const sets: [string, string[]][] = [
    ["Leads", newLeads.map((r) => r.t as string)],
    [
      "Leads",
      await changed(tx, {
        module: "Leads",
        n: scale,
        edit: `r.data || '{"Lead_Status": "Contacted"}'`,
      }),
    ],
    [
      "Deals",
      await changed(tx, {
        module: "Deals",
        n: scale / 5,
        edit: `r.data || '{"Stage": "Negotiation/Review"}'`,
      }),
    ],
    [
      "Calls",
      await changed(tx, {
        module: "Calls",
        n: scale / 2,
        edit: `r.data || '{"Call_Start_Time": "2026-03-04T17:00:00+00:00"}'`,
      }),
    ],
  ];
  let n = 0;
  for (const [module, texts] of sets) {
    await writePages(tx, { module, texts });
    n += texts.length;
  }
  // As every sync slice ends (_shared/sync/runs.ts endSlice): the deferred fact work settled
  // (touches of changed parents, campaign facts, the rollup deltas folded), timed on its own.
  const t0 = performance.now();
  await tx`select analytics.settle_facts()`;
  return { written: n, settleMs: performance.now() - t0 };
}

/**
 * Disables every fact trigger the writer can fire (on zoho.records and zoho.record_versions,
 * inserts and updates alike) for the rest of the transaction; returns their names.
 */
export async function disableFactTriggers(tx: Tx): Promise<string[]> {
  const rows = await tx<{ table: string; name: string }[]>`
    select t.tgrelid::regclass::text as table, t.tgname as name from pg_trigger t
    where t.tgrelid in ('zoho.records'::regclass, 'zoho.record_versions'::regclass)
      and not t.tgisinternal and t.tgname like '%facts%'`;
  for (const r of rows) {
    // Names from the catalog, quoted as identifiers (not outside input).
    await tx.unsafe(`alter table ${r.table} disable trigger "${r.name.replaceAll('"', '""')}"`);
  }
  return rows.map((r) => r.name);
}

/** Milliseconds to write `n` new leads through the writer, every fact trigger on or off. */
export async function ingestLeads(
  tx: Tx,
  options: { n: number; triggers: boolean },
): Promise<{ ms: number; disabled: string[] }> {
  const { n, triggers } = options;
  const texts = (await tx.unsafe(
    `select (data || jsonb_build_object('id', 'bench-ingest-' || id))::text as t
     from zoho.records where module = 'Leads' order by id limit $1`,
    [n],
  )).map((r) => r.t as string);
  const disabled = triggers ? [] : await disableFactTriggers(tx);
  const t0 = performance.now();
  await writePages(tx, { module: "Leads", texts });
  return { ms: performance.now() - t0, disabled };
}
