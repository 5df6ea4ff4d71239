/**
 * Briefs in Postgres: the payload of a snapshot (`brief.payload`, computed in SQL once and kept),
 * stored briefs (`brief.briefs`) and the lookups the HTTP routes need.
 */
import type postgres from "postgres";
import { type Payload, PayloadSchema } from "./facts.ts";
import type { WrittenBrief } from "./generate.ts";
import type { Draft } from "./prompt.ts";
import type { Pulse } from "./pulse.ts";

/** A stored brief as the API answers it. */
export interface StoredBrief {
  id: string;
  snapshot_id: string;
  run_id: string | null;
  model: string;
  content: Draft;
  pulse: string;
  pulse_variables: Record<string, string>;
  attempts: number;
  checks: unknown[];
  fallback_reason: string | null;
  prompt_tokens: number | null;
  timings: Record<string, number>;
  created_at: string;
}

/** The latest snapshot's id, or null when there is none. */
export async function latestSnapshotId(sql: postgres.Sql): Promise<string | null> {
  const [row] = await sql<{ id: string }[]>`
    select id from analytics.snapshots order by as_of desc, created_at desc limit 1`;
  return row?.id ?? null;
}

/** The payload of a snapshot's brief, or null for an unknown snapshot. */
export async function loadPayload(sql: postgres.Sql, snapshotId: string): Promise<Payload | null> {
  const [row] = await sql<{ p: string | null }[]>`
    select brief.payload(${snapshotId}::uuid)::text as p`;
  return row?.p ? PayloadSchema.parse(JSON.parse(row.p)) : null;
}

/** A pool or a transaction (the pipeline stores a brief and its stage report in one). */
type Queryable = postgres.Sql | postgres.TransactionSql;

const COLUMNS = (sql: Queryable) =>
  sql`id, snapshot_id, run_id, model, content, pulse, pulse_variables, attempts, checks,
    fallback_reason, prompt_tokens, timings, created_at`;

/**
 * Stores a written brief with its pulse. The first brief of a (snapshot, run) is unique: when a
 * concurrent call stored one first, that one is answered (`stored: false`) and this is dropped.
 */
export async function insertBrief(
  sql: Queryable,
  row: {
    snapshotId: string;
    runId?: string;
    replaces?: string;
    written: WrittenBrief;
    pulse: Pulse;
  },
): Promise<{ brief: StoredBrief; stored: boolean }> {
  const w = row.written;
  const [stored] = await sql<StoredBrief[]>`
    insert into brief.briefs (snapshot_id, run_id, model, content, pulse, pulse_variables,
      attempts, checks, fallback_reason, prompt_tokens, timings, replaces)
    values (${row.snapshotId}, ${row.runId ?? null}, ${w.model}, ${sql.json(w.draft)},
      ${row.pulse.text}, ${sql.json(row.pulse.variables)}, ${w.attempts},
      ${sql.json(JSON.parse(JSON.stringify(w.checks)))}, ${w.fallbackReason}, ${w.promptTokens},
      ${sql.json(w.timings)}, ${row.replaces ?? null})
    on conflict do nothing
    returning ${COLUMNS(sql)}`;
  if (stored) return { brief: stored, stored: true };
  const first = await latestBriefOf(sql, { snapshotId: row.snapshotId, runId: row.runId });
  if (!first) throw new Error("Cannot store the brief: a conflicting brief vanished");
  return { brief: first, stored: false };
}

/** The latest brief of a snapshot (optionally of a run), or null. */
export async function latestBriefOf(
  sql: Queryable,
  filter: { snapshotId?: string; runId?: string },
): Promise<StoredBrief | null> {
  const [row] = await sql<StoredBrief[]>`
    select ${COLUMNS(sql)} from brief.briefs
    where (${filter.snapshotId ?? null}::uuid is null or snapshot_id = ${filter.snapshotId ?? null})
      and (${filter.runId ?? null}::uuid is null or run_id = ${filter.runId ?? null})
    order by created_at desc limit 1`;
  return row ?? null;
}

/** A brief by id, or null. */
export async function briefById(sql: postgres.Sql, id: string): Promise<StoredBrief | null> {
  const [row] = await sql<StoredBrief[]>`
    select ${COLUMNS(sql)} from brief.briefs where id = ${id}`;
  return row ?? null;
}

/** Whether a snapshot exists. */
export async function snapshotExists(sql: postgres.Sql, id: string): Promise<boolean> {
  const [row] = await sql`select 1 from analytics.snapshots where id = ${id}`;
  return !!row;
}
