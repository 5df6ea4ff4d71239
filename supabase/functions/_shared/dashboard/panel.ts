/**
 * What a dashboard panel is: the question it answers (its title), an optional chart, the data
 * table behind it (always), and a note when a filter does not apply to it. A panel is described
 * once (`PanelDef`): its rows and ONE column list, from which `buildPanel` makes both the data
 * table and the chart's series.
 */
import { type CategoryChart, categoryOption, type ChartOption, type SeriesSpec } from "./charts.ts";
import { num, type PageData, type Row, str } from "./data.ts";
import type { Formats } from "./format.ts";
import type { z } from "zod";

/** A table cell: text, or a link. */
export type Cell = string | { text: string; href: string };

/** The data behind a panel, formatted. */
export interface Table {
  columns: string[];
  rows: Cell[][];
  /** Anchor ids of the rows (facts the brief links to). */
  rowIds?: string[];
}

/** Headline figures shown above a panel's chart. */
export interface Tile {
  label: string;
  value: string;
  detail: string;
}

/** One panel of the page. */
export interface Panel {
  id: string;
  question: string;
  /** e.g. "all sources: this KPI is not broken down by source" */
  note?: string;
  chart?: ChartOption;
  /** Trusted HTML (built with esc) shown above the chart: the brief's text. */
  body?: string;
  chartHeight?: number;
  tiles?: Tile[];
  table: Table;
}

/** What panel builders get. */
export interface PanelContext {
  data: PageData;
  f: Formats;
  /** Base of Zoho record links, e.g. https://crm.zoho.com/crm/org123 */
  zohoWebUrl: string;
}

/** Period names for labels. */
export const PERIOD_LABEL: Record<string, string> = {
  mtd: "month to date",
  qtd: "quarter to date",
  ytd: "year to date",
  t12m: "last 12 months",
};

/** The note of a panel that shows all sources whatever the source filter. */
export function allSourcesNote(ctx: PanelContext): string | undefined {
  return ctx.data.filter.source
    ? "All sources: this figure is not broken down by lead source"
    : undefined;
}

/** The note of a panel as of the snapshot day, whatever the period filter. */
export function asOfNote(ctx: PanelContext, bySource: boolean): string {
  const parts = [`As of ${ctx.data.snapshot.as_of}`];
  if (!bySource && ctx.data.filter.source) parts.push("all sources (no source breakdown)");
  return parts.join("; ");
}

/** How a column's values read in the table ("text": as SQL gave them). */
export type Format = "money" | "count" | "pct" | "ratio" | "days" | "text";

/** One column of a panel: a table column, a chart series, or both. */
export interface Column {
  /** The table header; none for a chart-only column. */
  label?: string;
  /** The row field shown and charted. */
  field?: string;
  format?: Format;
  /** A cell not read from one field (a link, a joined label). */
  cell?: (r: Row) => Cell;
  /** Charted as a series of `field` (its name defaults to the label). */
  series?: Partial<Omit<SeriesSpec, "data">>;
}

/** A column of `field` formatted as `format`, charted when `series` is given. */
export function col(
  label: string,
  field: string,
  format: Format = "text",
  series?: Column["series"],
): Column {
  return { label, field, format, series };
}

/** A category chart of a panel's columns with a series: one category per row. */
export interface ChartSpec extends Omit<CategoryChart, "categories" | "series"> {
  /** A row's category (its axis label). */
  category: (r: Row) => string;
  /** The rows charted when not the table's (e.g. oldest first). */
  rows?: Row[];
}

/** What a panel shows, as its description builds it for one page. */
export interface PanelSpec {
  question: string;
  note?: string;
  /** The table's rows (and the chart's, unless `chart.rows`). */
  rows: Row[];
  columns: Column[];
  chart?: ChartSpec;
  /** A chart not drawn from the columns (a heatmap, a pivot, other rows). */
  option?: ChartOption;
  chartHeight?: number;
  /** Table rows after the rows' own (totals, ratios). */
  extraRows?: Cell[][];
  rowIds?: string[];
  tiles?: Tile[];
  body?: string;
}

/**
 * One panel's description: its anchor id, the page fields it reads (those its SQL function
 * `dashboard.panel_<id>` returns, validated here) and what it shows (null: not shown).
 */
export interface PanelDef<T = unknown> {
  id: string;
  fields: z.ZodType<T>;
  build(ctx: PanelContext, fields: T): PanelSpec | null;
}

/** A panel description, its fields' type inferred from their schema. */
export function definePanel<T>(def: PanelDef<T>): PanelDef<T> {
  return def;
}

/** Builds a panel from its description: the table and the chart from the one column list. */
export function buildPanel(def: PanelDef, ctx: PanelContext): Panel | null {
  const p = def.build(ctx, def.fields.parse(ctx.data));
  if (!p) return null;
  const { f } = ctx;
  const shown = p.columns.filter((c) => c.label !== undefined);
  const cell = (c: Column, r: Row): Cell =>
    c.cell
      ? c.cell(r)
      : !c.format || c.format === "text"
      ? str(r, c.field!)
      : f[c.format](num(r, c.field!));
  let chart = p.option;
  if (p.chart) {
    const { category, rows = p.rows, ...axes } = p.chart;
    chart = categoryOption({
      ...axes,
      categories: rows.map(category),
      series: p.columns.filter((c) => c.series).map((c) => ({
        ...c.series,
        name: c.series!.name ?? c.label!,
        data: rows.map((r) => num(r, c.field!)),
      })),
    });
  }
  return {
    id: def.id,
    question: p.question,
    note: p.note,
    chart,
    body: p.body,
    chartHeight: p.chartHeight,
    tiles: p.tiles,
    table: {
      columns: shown.map((c) => c.label!),
      rows: [...p.rows.map((r) => shown.map((c) => cell(c, r))), ...(p.extraRows ?? [])],
      rowIds: p.rowIds,
    },
  };
}
