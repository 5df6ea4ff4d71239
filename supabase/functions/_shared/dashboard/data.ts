/**
 * The dashboard's data: one call of the SQL function `dashboard.page(period, source)`, which
 * reads the newest built snapshot and its pre-aggregated rollups and does every sum, ratio and
 * bucket (one SQL function per panel). This module validates the common shape; each panel
 * validates its own fields and formats them.
 */
import type postgres from "postgres";
import { z } from "zod";

/** Periods the filter offers (analytics.periods keys). */
export const PERIODS = ["mtd", "qtd", "ytd", "t12m"] as const;
/** A period key. */
export type Period = typeof PERIODS[number];

/** Query parameters of the page. */
export const FilterSchema = z.object({
  period: z.enum(PERIODS).default("qtd"),
  source: z.string().min(1).max(100).optional(),
});
/** Parsed filters. */
export type Filter = z.infer<typeof FilterSchema>;

/** A row as SQL rendered it (numbers stay JSON numbers). */
export type Row = Record<string, unknown>;
/** Rows of a panel field. */
export const Rows = z.array(z.record(z.string(), z.unknown()));
/** One object of a panel field. */
export const Obj = z.record(z.string(), z.unknown());

/**
 * What every page has, as `dashboard.page` returns it: the snapshot, the filter, the sources.
 * Each panel's own fields are validated by its description (`PanelDef.fields`, panel.ts).
 */
export const PageDataSchema = z.looseObject({
  snapshot: z.object({
    id: z.uuid(),
    as_of: z.string(),
    created_at: z.string(),
    time_zone: z.string(),
    currency: z.string().length(3),
    run_id: z.string().nullable(),
  }),
  filter: z.object({
    period: z.enum(PERIODS),
    start: z.string(),
    end: z.string(),
    grain: z.enum(["day", "week", "month"]),
    source: z.string().nullable(),
  }),
  sources: z.array(z.string()),
});
/** The page's data: the common part typed, the panels' fields as they came. */
export type PageData = z.infer<typeof PageDataSchema>;

/** Reads the page's data; null when no snapshot has been built yet. */
export async function loadPageData(sql: postgres.Sql, filter: Filter): Promise<PageData | null> {
  const [row] = await sql<{ page: string | null }[]>`
    select dashboard.page(${filter.period}, ${filter.source ?? null})::text as page`;
  if (!row?.page) return null;
  return PageDataSchema.parse(JSON.parse(row.page));
}

/** A number field of a row (null when absent or not a number). */
export function num(row: Row | null | undefined, field: string): number | null {
  const v = row?.[field];
  return typeof v === "number" ? v : null;
}

/** A text field of a row ('' when absent). */
export function str(row: Row | null | undefined, field: string): string {
  const v = row?.[field];
  return v === null || v === undefined ? "" : String(v);
}
