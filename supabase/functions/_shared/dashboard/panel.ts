/**
 * What a dashboard panel is: the question it answers (its title), an optional chart, the data
 * table behind it (always), and a note when a filter does not apply to it.
 */
import type { PageData } from "./data.ts";
import type { ChartOption } from "./charts.ts";
import type { Formats } from "./format.ts";

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
