/**
 * KPI snapshots: `computeSnapshot(sql, options)` asks Postgres for one (analytics.compute_snapshot
 * refreshes the fact tables, runs every KPI, builds the brief payload, stores the immutable row
 * and returns it) and validates its shape with zod. All arithmetic is SQL; the JSON text is
 * returned exactly as Postgres rendered it, so numerics stay exact and equal data gives equal
 * bytes (apart from id, run_id and created_at).
 */
import type postgres from "postgres";
import { z } from "zod";

/** One fact of the brief payload. */
export const BriefFactSchema = z.object({
  id: z.string().regex(/^[a-z0-9_.]+$/),
  value: z.union([z.number(), z.null()]),
  unit: z.string(),
  period: z.string().nullable(),
}).loose();

/** The compact payload a brief is written from (under 4 KB). */
export const BriefSchema = z.object({
  as_of: z.iso.date(),
  currency: z.string().length(3),
  facts: z.array(BriefFactSchema).min(20).max(40),
});

/** A stored snapshot as compute-metrics returns it. */
export const SnapshotSchema = z.object({
  id: z.uuid(),
  run_id: z.uuid().nullable(),
  as_of: z.iso.date(),
  period: z.object({ start: z.iso.date(), end: z.iso.date() }),
  time_zone: z.string(),
  currency: z.string().length(3),
  content_hash: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: z.string(),
  brief: BriefSchema,
  kpis: z.record(z.string(), z.unknown()),
});

/** A validated snapshot. */
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** Options of computeSnapshot: the day (company time zone; default today there) and a run id. */
export interface ComputeOptions {
  asOf?: string;
  runId?: string;
}

/** Computes, stores and returns a snapshot: the JSON text as stored, and its parsed form. */
export async function computeSnapshot(
  sql: postgres.Sql | postgres.TransactionSql,
  options: ComputeOptions = {},
): Promise<{ text: string; snapshot: Snapshot }> {
  const [row] = await sql<{ s: string }[]>`
    select analytics.compute_snapshot(
      coalesce(${options.asOf ?? null}::date,
        (now() at time zone analytics.time_zone())::date),
      ${options.runId ?? null}::uuid)::text as s`;
  if (!row) throw new Error("Cannot compute the snapshot: the database returned no row");
  const snapshot = SnapshotSchema.parse(JSON.parse(row.s));
  return { text: row.s, snapshot };
}
