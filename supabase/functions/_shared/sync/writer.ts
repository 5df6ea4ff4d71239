/**
 * Set-based writes into the raw store. A batch of records goes to Postgres as one text
 * parameter, the record texts joined by U+001E (a control character that valid JSON text can
 * only hold escaped), split there and each parsed once by Postgres into a transaction-scoped
 * staging table, byte-exact (jsonb keeps big numbers). Id, Modified_Time and content hash are
 * taken while the value is still in memory; it is compressed once, with lz4, and that datum is
 * stored as is by both inserts. Then one statement upserts zoho.records, appends a
 * zoho.record_versions row only when the content hash changed, and never overwrites newer data
 * (an incoming record whose Modified_Time is older than the stored one is ignored). The
 * caller's transaction also moves the cursor, so rows and cursor commit together.
 */
import type postgres from "postgres";
import { childrenDeletedWith } from "../zoho/modules.ts";

/** What one write did. */
export interface WriteCounts {
  inserted: number;
  updated: number;
  restored: number;
  unchanged: number;
}

type Sql = postgres.Sql | postgres.TransactionSql;

/** Joins record texts in one parameter; JSON text never holds it unescaped. */
const SEPARATOR = "\u001e";

/** Records of one module to write, and the sync run writing them (null: not a sync). */
export interface RecordBatch {
  module: string;
  /** JSON object texts as Zoho sent them. */
  records: readonly string[];
  runId: string | null;
}

/** Upserts a batch of raw record texts. */
export function writeRecords(sql: Sql, batch: RecordBatch): Promise<WriteCounts> {
  if (batch.records.length === 0) {
    return Promise.resolve({ inserted: 0, updated: 0, restored: 0, unchanged: 0 });
  }
  // The staging table lives in one transaction: join the caller's, or open one.
  return "savepoint" in sql
    ? stageAndUpsert(sql, batch)
    : sql.begin((tx) => stageAndUpsert(tx, batch));
}

async function stageAndUpsert(
  tx: postgres.TransactionSql,
  { module, records: rawRecords, runId }: RecordBatch,
): Promise<WriteCounts> {
  // One staging table per session, emptied at commit (and by this statement): no catalog churn
  // per batch; safe behind a transaction pooler since nothing outlives the transaction.
  // Sent without waiting (pipelined ahead of the insert on the same connection).
  const ready = tx`do $$ begin
    if to_regclass('pg_temp.zoho_stage_v2') is null then
      create temp table zoho_stage_v2 (n int not null, id text, mt timestamptz, hash text not null,
        e jsonb compression lz4 not null) on commit delete rows;
    end if;
  end $$`.execute();
  // One text parameter: no per-record escaping in JS, and each record parsed on its own (twice
  // as fast as parsing one JSON array and taking it apart). COPY was tried: postgres.js swallows
  // an error that arrives after the COPY data ended, so a bad record hung the write.
  const staged = tx`insert into zoho_stage_v2 (n, id, mt, hash, e)
    select n, e ->> 'id', nullif(e ->> 'Modified_Time', '')::timestamptz, zoho.content_hash(e), e
    from (select n, t::jsonb as e
      from string_to_table(${
    rawRecords.join(SEPARATOR)
  }::text, ${SEPARATOR}) with ordinality as x(t, n)
      offset 0 -- parsed once: without it the planner would inline t::jsonb into every use of e
    ) parsed`.execute();
  await Promise.all([ready, staged]);
  const [row] = await (tx as unknown as postgres.Sql)<
    { inserted: number; updated: number; restored: number; total: number }[]
  >`
    with incoming as (
      -- per id, the newest Modified_Time wins, then the last copy in the batch
      select distinct on (id) id, e as data, hash, mt
      from zoho_stage_v2
      order by id, mt desc nulls last, n desc
    ),
    emptied as (delete from zoho_stage_v2 returning 1),
    -- Stored rows by primary key (id = any(array)): a join here lets the planner scan the whole
    -- module when its statistics lag a fast-growing table (seen: O(table) per batch).
    prev as (
      select r.id, r.deleted_at, r.content_hash from zoho.records r
      where r.module = ${module} and r.id = any(array(select id from incoming))
    ),
    up as (
      insert into zoho.records as r
        (module, id, data, modified_time, content_hash, first_seen_at, last_synced_at, version)
      select ${module}, id, data, mt, hash, now(), now(), 1 from incoming
      on conflict (module, id) do update set
        data = excluded.data, modified_time = excluded.modified_time,
        content_hash = excluded.content_hash, last_synced_at = now(),
        version = r.version + 1, deleted_at = null, deleted_type = null
      -- never overwrite newer data; a version only when content changed (or a restore)
      where (r.content_hash <> excluded.content_hash or r.deleted_at is not null)
        and (r.modified_time is null or excluded.modified_time is null
             or excluded.modified_time >= r.modified_time)
      returning r.id, r.version, r.data, r.content_hash, r.modified_time
    ),
    ver as (
      insert into zoho.record_versions
        (module, id, version, change, data, content_hash, modified_time, sync_run_id)
      select ${module}, up.id, up.version,
        case when prev.id is null then 'insert'
             when prev.deleted_at is not null then 'restore' else 'update' end,
        up.data, up.content_hash, up.modified_time, ${runId}::uuid
      from up left join prev using (id)
      returning change, id
    ),
    undeleted as (
      update zoho.deletions d set restored_at = now()
      from ver where ver.change = 'restore' and d.module = ${module} and d.id = ver.id
        and d.restored_at is null
      returning 1
    ),
    touched as (
      update zoho.records r set last_synced_at = now()
      where r.module = ${module} and r.id = any(array(
        select p.id from prev p join incoming i using (id)
        where p.content_hash = i.hash and p.deleted_at is null
      ))
      returning 1
    )
    select
      (select count(*) from ver where change = 'insert')::int as inserted,
      (select count(*) from ver where change = 'update')::int as updated,
      (select count(*) from ver where change = 'restore')::int as restored,
      ((select count(*) from incoming) + 0 * (select count(*) from undeleted)
        + 0 * (select count(*) from touched) + 0 * (select count(*) from emptied))::int as total`;
  const r = row!;
  return {
    inserted: r.inserted,
    updated: r.updated,
    restored: r.restored,
    unchanged: r.total - r.inserted - r.updated - r.restored,
  };
}

/**
 * Records deletions from Zoho's deleted-records API: a zoho.deletions row per (id, deleted_time)
 * and, for records we hold that were not modified after that deletion, `deleted_at` plus a
 * 'delete' version; so too for the children the registry says vanish with their parent (Notes).
 * Returns how many stored records were newly marked deleted.
 */
export async function writeDeletions(
  sql: Sql,
  { module, items: rawItems, runId }: {
    module: string;
    /** Deleted-records items as JSON object texts. */
    items: readonly string[];
    runId: string | null;
  },
): Promise<number> {
  if (rawItems.length === 0) return 0;
  const json = `[${rawItems.join(",")}]`;
  const children = childrenDeletedWith(module);
  const [row] = await (sql as postgres.Sql)<{ deleted: number }[]>`
    with d as (
      select distinct on (e ->> 'id') e ->> 'id' as id,
        (e ->> 'deleted_time')::timestamptz as dt, coalesce(e ->> 'type', 'recycle') as type,
        e ->> 'display_name' as display_name, e -> 'deleted_by' as deleted_by, e as raw
      from jsonb_array_elements(${json}::text::jsonb) e
      order by e ->> 'id', (e ->> 'deleted_time')::timestamptz desc
    ),
    ins as (
      insert into zoho.deletions as x (module, id, deleted_time, type, display_name, deleted_by, raw)
      select ${module}, id, dt, type, display_name, deleted_by, raw from d
      on conflict (module, id, deleted_time) do update set type = excluded.type, raw = excluded.raw
      where x.type <> excluded.type
      returning 1
    ),
    marked as (
      update zoho.records r set deleted_at = d.dt, deleted_type = d.type,
        version = r.version + 1, last_synced_at = now()
      from d
      where r.module = ${module} and r.id = d.id and r.deleted_at is null
        and (r.modified_time is null or d.dt >= r.modified_time)
      returning r.id, r.version, r.data, r.content_hash, r.modified_time
    ),
    -- Children deleted with their parent, without tombstones of their own (zoho/modules.ts).
    children as (
      update zoho.records r set deleted_at = d.dt, deleted_type = d.type,
        version = r.version + 1, last_synced_at = now()
      from d, unnest(${children.map((c) => c.module)}::text[],
        ${children.map((c) => c.parentField)}::text[]) as c(module, parent_field)
      where r.module = c.module and r.deleted_at is null
        and r.data -> c.parent_field ->> 'id' = d.id
      returning r.module, r.id, r.version, r.data, r.content_hash, r.modified_time
    ),
    ver as (
      insert into zoho.record_versions
        (module, id, version, change, data, content_hash, modified_time, sync_run_id)
      select ${module}, id, version, 'delete', data, content_hash, modified_time, ${runId}::uuid
      from marked
      union all
      select module, id, version, 'delete', data, content_hash, modified_time, ${runId}::uuid
      from children
      returning 1
    )
    select ((select count(*) from ver) + 0 * (select count(*) from ins))::int as deleted`;
  return row!.deleted;
}
