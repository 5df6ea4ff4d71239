/**
 * Cursor state in Postgres: per-module sync_state and the segments of a read in progress. Every
 * segment update runs in the transaction that writes the page it covers, so the cursor never
 * runs ahead of committed rows.
 */
import type postgres from "postgres";
import type { SegmentState } from "./reader.ts";

type Sql = postgres.Sql | postgres.TransactionSql;

/** A module's sync_state row (times in ms). */
export interface ModuleState {
  nextSince: number | null;
  deletedSince: number | null;
  fullStartedAt: number | null;
  lastFullReadAt: number | null;
  /** Zoho server time of the last deleted-records check. */
  deletedCheckedAt: number | null;
  /** Slices in a row that fetched but stored nothing and moved no read position. */
  stalledSlices: number;
}

const ms = (d: Date | null) => (d ? d.getTime() : null);
const date = (n: number | null) => (n === null ? null : new Date(n));

/** Loads (creating if needed) a module's state. */
export async function loadState(sql: Sql, module: string): Promise<ModuleState> {
  await (sql as postgres.Sql)`insert into zoho.sync_state (module) values (${module})
    on conflict do nothing`;
  const [row] = await (sql as postgres.Sql)<
    {
      next_since: Date | null;
      deleted_since: Date | null;
      full_started_at: Date | null;
      last_full_read_at: Date | null;
      deleted_checked_at: Date | null;
      stalled_slices: number;
    }[]
  >`select next_since, deleted_since, full_started_at, last_full_read_at, deleted_checked_at,
      stalled_slices
    from zoho.sync_state where module = ${module}`;
  return {
    nextSince: ms(row!.next_since),
    deletedSince: ms(row!.deleted_since),
    fullStartedAt: ms(row!.full_started_at),
    lastFullReadAt: ms(row!.last_full_read_at),
    deletedCheckedAt: ms(row!.deleted_checked_at),
    stalledSlices: row!.stalled_slices,
  };
}

/** The segments of the read in progress, in order. */
export async function loadSegments(sql: Sql, module: string): Promise<SegmentState[]> {
  const rows = await (sql as postgres.Sql)<
    {
      segment: number;
      since: Date | null;
      until: Date | null;
      cursor: Date | null;
      page_tokens: unknown;
      token_since: Date | null;
      done: boolean;
      cursor_complete: boolean;
      cluster_after: string | null;
      chain_read: number;
    }[]
  >`select segment, since, until, cursor, page_tokens, token_since, done, cursor_complete,
      cluster_after, chain_read
    from zoho.sync_segments where module = ${module} order by segment`;
  return rows.map((r) => ({
    segment: r.segment,
    since: ms(r.since),
    until: ms(r.until),
    cursor: ms(r.cursor),
    tokens: tokenList(r.page_tokens),
    tokenSince: ms(r.token_since),
    done: r.done,
    cursorComplete: r.cursor_complete,
    clusterAfter: r.cluster_after,
    chainRead: r.chain_read,
  }));
}

/**
 * The saved chain, or null when it is not a list of strings (nothing else is resumable; the
 * column's check refuses anything but an array).
 */
function tokenList(value: unknown): string[] | null {
  return Array.isArray(value) && value.length > 0 && value.every((t) => typeof t === "string")
    ? value
    : null;
}

/** Starts a read: replaces any segments with one open segment from `since`. */
export async function startRead(
  sql: postgres.Sql,
  { module, since, full }: { module: string; since: number | null; full: boolean },
): Promise<SegmentState[]> {
  await sql.begin(async (tx) => {
    await tx`delete from zoho.sync_segments where module = ${module}`;
    await tx`insert into zoho.sync_segments (module, segment, since) values
      (${module}, 0, ${date(since)})`;
    if (full) {
      await tx`update zoho.sync_state set full_started_at = now(), updated_at = now()
        where module = ${module}`;
    }
  });
  return loadSegments(sql, module);
}

/**
 * Saves a segment's progress (call inside the page's transaction). The chain goes in as text cast
 * to jsonb: a string bound to a jsonb parameter is stored as a JSON string (postgres.js encodes it
 * again), which read back as the array's text, so every slice lost its chain (issue 20).
 */
export async function saveSegment(
  sql: Sql,
  { module, segment: s }: { module: string; segment: SegmentState },
): Promise<void> {
  const tokens = s.tokens ? JSON.stringify(s.tokens) : null;
  await (sql as postgres.Sql)`insert into zoho.sync_segments
      (module, segment, since, until, cursor, page_tokens, token_since, done, cursor_complete,
       cluster_after, chain_read)
    values (${module}, ${s.segment}, ${date(s.since)}, ${date(s.until)}, ${date(s.cursor)},
      ${tokens}::text::jsonb, ${date(s.tokenSince)}, ${s.done}, ${s.cursorComplete ?? false},
      ${s.clusterAfter ?? null}, ${s.chainRead ?? 0})
    on conflict (module, segment) do update set since = excluded.since, until = excluded.until,
      cursor = excluded.cursor, page_tokens = excluded.page_tokens,
      token_since = excluded.token_since, done = excluded.done,
      cursor_complete = excluded.cursor_complete, cluster_after = excluded.cluster_after,
      chain_read = excluded.chain_read, updated_at = now()`;
}

/** Finishes a read: clears segments and moves the incremental cursor. */
export async function finishRead(
  sql: postgres.Sql,
  { module, nextSince, maxModified }: {
    module: string;
    nextSince: number | null;
    maxModified: number | null;
  },
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`delete from zoho.sync_segments where module = ${module}`;
    await tx`update zoho.sync_state set
        next_since = coalesce(${date(nextSince)}, next_since),
        max_modified_time = greatest(max_modified_time, ${date(maxModified)}),
        last_full_read_at = coalesce(full_started_at, last_full_read_at),
        full_started_at = null, updated_at = now()
      where module = ${module}`;
  });
}

/**
 * Records a deletions check: when it ran (Zoho server time) and, once the deletions it covers are
 * committed, the new deletions cursor (null keeps the old one).
 */
export async function saveDeletionCheck(
  sql: Sql,
  { module, since, checkedAt }: { module: string; since: number | null; checkedAt: number },
) {
  await (sql as postgres.Sql)`update zoho.sync_state set
    deleted_since = coalesce(${date(since)}, deleted_since),
    deleted_checked_at = ${date(checkedAt)}, updated_at = now() where module = ${module}`;
}

/**
 * Asks for a re-read of every record of a module (its fields changed: stored records lack the
 * new keys, whose values arrive without a Modified_Time bump). Drops a read in progress.
 */
export async function requestReread(sql: postgres.Sql, module: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`delete from zoho.sync_segments where module = ${module}`;
    await tx`update zoho.sync_state set next_since = null, updated_at = now()
      where module = ${module}`;
  });
}

/** Stores how many slices in a row made no progress (0 after one that did). */
export async function saveStalledSlices(
  sql: Sql,
  { module, stalledSlices: n }: { module: string; stalledSlices: number },
): Promise<void> {
  await (sql as postgres.Sql)`update zoho.sync_state set stalled_slices = ${n}, updated_at = now()
    where module = ${module} and stalled_slices is distinct from ${n}`;
}
