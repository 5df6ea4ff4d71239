/**
 * The dashboard's pre-aggregates of one snapshot (`dashboard.build` in SQL: per-day rollups and
 * the at-risk deal list), built once right after the snapshot is stored so the page reads only
 * small tables. compute-metrics calls it; tests and benches that compute snapshots in SQL call it
 * themselves.
 */
import type postgres from "postgres";

/** Builds the rollups of `snapshotId`; false when they existed already. */
export async function buildDashboardRollups(
  sql: postgres.Sql | postgres.TransactionSql,
  snapshotId: string,
): Promise<boolean> {
  const [row] = await sql<{ built: boolean }[]>`
    select dashboard.build(${snapshotId}::uuid) as built`;
  return row?.built ?? false;
}
