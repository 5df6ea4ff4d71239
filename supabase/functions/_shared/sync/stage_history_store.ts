/**
 * The Stage_History step's Postgres side: the queue of deals to read (zoho.stage_history_queue,
 * filled by a trigger on new deal versions) and the write that stores a batch of deals' history
 * rows and removes those deals from the queue in one transaction, so a crash (kill -9) between
 * reading a history and storing it only reads that deal again, and a stored history is never
 * read again for the same deal version. Rows stay the raw text Zoho sent; Postgres parses them
 * (jsonb keeps numbers exact) and appends a version only when a row's content changed.
 */
import type postgres from "postgres";

/** A queued deal: its id and the deal version that queued it. */
export interface QueuedDeal {
  id: string;
  version: number;
}

/** One deal's history as read: raw JSON text of each row, newest first as Zoho lists them. */
export interface DealHistory extends QueuedDeal {
  rows: string[];
}

/** What one write stored. */
export interface HistoryCounts {
  /** Rows seen for the first time. */
  inserted: number;
  /** Rows whose content changed: stored as a new version. */
  updated: number;
  /** Rows stored already with this content. */
  unchanged: number;
}

/**
 * Up to `limit` queued deals, newest-changed first (the deals a recent period counts), and how
 * many entries of that window were dropped: deals stored as deleted, whose list cannot be read (a
 * restore stores a new version, which queues the deal again). Only the window is checked: a
 * join of the whole queue with the records on every window cost O(queue) each time.
 */
export async function queuedDeals(
  sql: postgres.Sql,
  limit: number,
): Promise<{ deals: QueuedDeal[]; dropped: number }> {
  const rows = await sql<{ deal_id: string; version: number; gone: boolean }[]>`
    with w as (
      select q.deal_id, q.version from zoho.stage_history_queue q
      order by q.modified_time desc nulls last, q.deal_id
      limit ${limit}
    ),
    gone as (
      delete from zoho.stage_history_queue q
      using w, zoho.records r
      where q.deal_id = w.deal_id and r.module = 'Deals' and r.id = w.deal_id
        and r.deleted_at is not null
      returning q.deal_id
    )
    select w.deal_id, w.version, w.deal_id in (select deal_id from gone) as gone from w`;
  const live = rows.filter((r) => !r.gone);
  return {
    deals: live.map((r) => ({ id: r.deal_id, version: r.version })),
    dropped: rows.length - live.length,
  };
}

/** Deals whose history is still to be read. */
export async function queueLength(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n
    from zoho.stage_history_queue`;
  return row!.n;
}

/**
 * Stores the rows of `deals` (each deal's whole history) and removes each deal from the queue
 * unless a newer version of it queued it meanwhile, in one transaction. A row is keyed by the
 * deal and its `id`; its content hash decides whether it is new, changed (version n + 1) or
 * already stored. A row without an id is refused (not null): nothing could key it.
 */
export async function storeHistories(
  sql: postgres.Sql,
  { deals, runId }: { deals: readonly DealHistory[]; runId: string | null },
): Promise<HistoryCounts> {
  if (deals.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  // Raw row texts joined into one JSON text: no row is parsed or re-encoded in JS.
  const json = `[${
    deals.filter((d) => d.rows.length > 0).map((d) =>
      `{"d":${JSON.stringify(d.id)},"r":[${d.rows.join(",")}]}`
    ).join(",")
  }]`;
  return await sql.begin(async (tx) => {
    const [row] = await (tx as unknown as postgres.Sql)<
      { inserted: number; updated: number; total: number }[]
    >`
      with incoming as (
        -- a row listed twice (pages shifting under the read): its last copy
        select distinct on (e ->> 'd', r ->> 'id') e ->> 'd' as deal_id, r ->> 'id' as row_id,
          r as data, zoho.content_hash(r) as hash,
          nullif(r ->> 'Modified_Time', '')::timestamptz as mt
        from jsonb_array_elements(${json}::text::jsonb) with ordinality as x(e, n),
          jsonb_array_elements(e -> 'r') with ordinality as y(r, m)
        order by e ->> 'd', r ->> 'id', n desc, m desc
      ),
      stored as (
        select distinct on (h.deal_id, h.row_id) h.deal_id, h.row_id, h.version, h.content_hash
        from zoho.stage_history h
        where h.deal_id = any(${deals.map((d) => d.id)}::text[])
        order by h.deal_id, h.row_id, h.version desc
      ),
      ins as (
        insert into zoho.stage_history
          (deal_id, row_id, version, data, content_hash, modified_time, sync_run_id)
        select i.deal_id, i.row_id, coalesce(s.version, 0) + 1, i.data, i.hash, i.mt,
          ${runId}::uuid
        from incoming i
        left join stored s on s.deal_id = i.deal_id and s.row_id = i.row_id
        where s.content_hash is distinct from i.hash
        returning version
      )
      select (select count(*) from ins where version = 1)::int as inserted,
        (select count(*) from ins where version > 1)::int as updated,
        (select count(*) from incoming)::int as total`;
    await tx`delete from zoho.stage_history_queue q
      using unnest(${deals.map((d) => d.id)}::text[], ${deals.map((d) => d.version)}::int[])
        as k(deal_id, version)
      where q.deal_id = k.deal_id and q.version <= k.version`;
    const r = row!;
    return {
      inserted: r.inserted,
      updated: r.updated,
      unchanged: r.total - r.inserted - r.updated,
    };
  });
}
