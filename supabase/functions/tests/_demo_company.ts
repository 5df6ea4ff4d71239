/**
 * Loads the AHA Smart Homes demo company (scripts/zoho-sim/dataset) straight into zoho.records,
 * bypassing the sync: every record exactly as single-record GET returns it, content_hash from
 * zoho.content_hash(data), leads deleted before the simulation marked deleted (recycle). Each
 * deal also gets its stage path as zoho.record_versions rows (what earlier syncs would have kept);
 * those versions carry the fields crm.deal_stage_history reads, not the whole record, to keep the
 * 1M-lead load small. Used by the snapshot reproduction test and `deno task bench metrics`.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";
import { createDataset } from "../../../scripts/zoho-sim/dataset/dataset.ts";
import { parseDateTime } from "../../../scripts/zoho-sim/dataset/time_format.ts";
// JSON as the API sends it: bigint fields (beyond 2^53) as bare numbers.
import { stringify as toJson } from "../../../scripts/zoho-sim/sim/json.ts";

/** Modules the demo company holds records in. */
export const DEMO_MODULES = [
  "Leads",
  "Contacts",
  "Accounts",
  "Deals",
  "Calls",
  "Tasks",
  "Events",
  "Notes",
  "Campaigns",
  "Products",
] as const;

/** What was loaded. */
export interface DemoLoad {
  records: number;
  versions: number;
}

/** COPY text-format escaping: JSON.stringify never emits raw tabs or newlines, only backslashes. */
function copyField(text: string): string {
  return text.replaceAll("\\", "\\\\");
}

function* recordLines(leads: number, seed: number): Generator<string> {
  const ds = createDataset({ leads, seed });
  let batch = "";
  for (const module of DEMO_MODULES) {
    const n = ds.count(module);
    for (let i = 0; i < n; i++) {
      const deletion = ds.deletion(module, i);
      const rec = ds.record(module, i);
      const deleted = deletion ? new Date(deletion.deletedAt * 1000).toISOString() : "\\N";
      batch += `${module}\t${String(rec.id)}\t${copyField(toJson(rec))}\t${deleted}\n`;
      if (batch.length > 1 << 20) {
        yield batch;
        batch = "";
      }
    }
  }
  if (batch) yield batch;
}

function* versionLines(leads: number, seed: number): Generator<string> {
  const ds = createDataset({ leads, seed });
  let batch = "";
  const n = ds.count("Deals");
  for (let k = 0; k < n; k++) {
    const deal = ds.record("Deals", k);
    const steps = ds.stageHistory(k).reverse();
    steps.forEach((step, v) => {
      const data = {
        id: deal.id,
        Deal_Name: deal.Deal_Name,
        Owner: deal.Owner,
        Stage: step.Stage,
        Amount: step.Amount,
        Probability: step.Probability,
        Closing_Date: step.Closing_Date,
        Modified_Time: step.Modified_Time,
      };
      const observed = new Date((parseDateTime(String(step.Modified_Time)) ?? 0) * 1000);
      batch += `Deals\t${String(deal.id)}\t${v + 1}\t${v === 0 ? "insert" : "update"}\t${
        copyField(toJson(data))
      }\t${observed.toISOString()}\n`;
    });
    if (batch.length > 1 << 20) {
      yield batch;
      batch = "";
    }
  }
  if (batch) yield batch;
}

/** Loads the demo company of `leads` leads into an empty zoho store (one transaction). */
export async function loadDemoCompany(
  sql: postgres.Sql,
  options: { leads: number; seed?: number },
): Promise<DemoLoad> {
  const seed = options.seed ?? 42;
  return await sql.begin(async (tx) => {
    await tx`create temp table demo_records (module text, id text, data jsonb, deleted_at timestamptz)
      on commit drop`;
    await tx`create temp table demo_versions (module text, id text, version int, change text,
      data jsonb, observed_at timestamptz) on commit drop`;
    await pipeline(
      Readable.from(recordLines(options.leads, seed)),
      await tx`copy demo_records from stdin`.writable(),
    );
    await pipeline(
      Readable.from(versionLines(options.leads, seed)),
      await tx`copy demo_versions from stdin`.writable(),
    );
    const records = await tx`
      insert into zoho.records (module, id, data, modified_time, content_hash, first_seen_at,
        last_synced_at, deleted_at, deleted_type)
      select module, id, data, crm.ts(data ->> 'Modified_Time'), zoho.content_hash(data),
        observed, observed, deleted_at, case when deleted_at is not null then 'recycle' end
      from demo_records, lateral (select coalesce(crm.ts(data ->> 'Created_Time'), now()) observed) o`;
    const versions = await tx`
      insert into zoho.record_versions (module, id, version, change, data, content_hash,
        modified_time, observed_at)
      select module, id, version, change, data, zoho.content_hash(data),
        crm.ts(data ->> 'Modified_Time'), observed_at
      from demo_versions`;
    await alignDemoVersions(tx);
    return { records: records.count, versions: versions.count };
  });
}

/**
 * Sets each demo deal's zoho.records.version to its last kept version, as the sync writer keeps
 * it, so a later write through the writer appends version n + 1 (databases loaded before this
 * had version 1 on every record). Idempotent; returns how many records it corrected.
 */
export async function alignDemoVersions(sql: postgres.Sql | postgres.TransactionSql) {
  const res = await (sql as postgres.Sql)`
    update zoho.records r set version = v.n
    from (select id, max(version) as n from zoho.record_versions where module = 'Deals'
      group by id) v
    where r.module = 'Deals' and r.id = v.id and r.version < v.n`;
  return res.count;
}
