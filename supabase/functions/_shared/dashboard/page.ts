/**
 * The dashboard page: HTML around the panels, with the filter form (plain GET query
 * parameters, works without script), one chart and one data table per panel, and the 401 page.
 * Everything it loads (app.css, app.js) is served by the function itself: no CDN.
 */
import { renderChart } from "./charts.ts";
import { type PageData, PERIODS } from "./data.ts";
import { formats } from "./format.ts";
import { esc } from "./html.ts";
import { buildPanel, type Cell, type Panel, type PanelContext, PERIOD_LABEL } from "./panel.ts";
import { PANELS } from "./panels.ts";

export { esc };

/** Every panel of the page, in order. */
export function buildPanels(data: PageData, zohoWebUrl: string): Panel[] {
  const ctx: PanelContext = {
    data,
    f: formats(data.snapshot.currency, data.snapshot.time_zone),
    zohoWebUrl,
  };
  return PANELS.map((def) => buildPanel(def, ctx)).filter((p): p is Panel => p !== null);
}

function cell(c: Cell): string {
  if (typeof c === "string") return esc(c);
  if (c.href.startsWith("#")) return `<a href="${esc(c.href)}">${esc(c.text)}</a>`;
  return `<a href="${esc(c.href)}" rel="noopener noreferrer" target="_blank">${esc(c.text)}</a>`;
}

function renderPanel(p: Panel): string {
  const head = `<h2 id="${p.id}-title">${esc(p.question)}</h2>` +
    (p.note ? `<p class="note">${esc(p.note)}</p>` : "");
  const tiles = p.tiles?.length
    ? `<div class="tiles">${
      p.tiles.map((t) =>
        `<div class="tile"><span>${esc(t.label)}</span><strong>${esc(t.value)}</strong>` +
        `<small>${esc(t.detail)}</small></div>`
      ).join("")
    }</div>`
    : "";
  const chart = p.chart
    ? `<figure class="chart" data-chart="${p.id}">${
      renderChart(p.chart, p.question, { width: 640, height: p.chartHeight ?? 300 })
    }</figure>`
    : "";
  const rowId = (i: number) => p.table.rowIds?.[i] ? ` id="${esc(p.table.rowIds[i]!)}"` : "";
  const rows = p.table.rows.length
    ? p.table.rows.map((r, i) =>
      `<tr${rowId(i)}>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`
    )
      .join("")
    : `<tr><td colspan="${p.table.columns.length}">No data</td></tr>`;
  const table = `<details${p.chart || p.body ? "" : " open"}><summary>Data table</summary>` +
    `<div class="scroll"><table aria-labelledby="${p.id}-title"><thead><tr>${
      p.table.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join("")
    }</tr></thead><tbody>${rows}</tbody></table></div></details>`;
  return `<section class="panel" id="${p.id}" data-rows="${p.table.rows.length}">` +
    `${head}${p.body ?? ""}${tiles}${chart}${table}</section>`;
}

function filterForm(data: PageData): string {
  const opt = (value: string, label: string, selected: boolean) =>
    `<option value="${esc(value)}"${selected ? " selected" : ""}>${esc(label)}</option>`;
  return `<form class="filters" method="get" action="dashboard">` +
    `<label>Period <select name="period">${
      PERIODS.map((p) => opt(p, PERIOD_LABEL[p]!, p === data.filter.period)).join("")
    }</select></label>` +
    `<label>Source <select name="source">${opt("", "All sources", !data.filter.source)}${
      data.sources.map((s) => opt(s, s, s === data.filter.source)).join("")
    }</select></label><button type="submit">Apply</button></form>`;
}

function head(title: string, csrf?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    (csrf ? `<meta name="csrf-token" content="${esc(csrf)}">` : "") +
    // No favicon request: the function serves only the page and its two assets.
    `<title>${esc(title)}</title><link rel="icon" href="data:,">` +
    `<link rel="stylesheet" href="dashboard/app.css">` +
    `<script src="dashboard/app.js" defer></script></head>`;
}

/** The Refresh control (sessions only: it needs the CSRF token); app.js drives it. */
export const REFRESH_CONTROL = `<div class="refresh"><button id="refresh" type="button">` +
  `Refresh data</button> <span id="refresh-status" role="status" aria-live="polite"></span>` +
  `<ol class="stages" id="refresh-stages" aria-label="Pipeline stages"></ol></div>`;

/** Options of the page: Zoho link base, CSRF token (sessions), HTML under the header. */
export interface PageOptions {
  zohoWebUrl: string;
  csrf?: string;
  extra?: string;
}

// Rendered panels by content: the charts cost most of a page's time, and most panels stay the
// same across filters (as-of figures) and requests, so an isolate renders each distinct panel
// once. The key is the panel itself (its table holds every value, formatted in the currency).
const rendered = new Map<string, string>();
const RENDERED_MAX = 400;

function renderPanelCached(p: Panel): string {
  const key = JSON.stringify(p);
  const hit = rendered.get(key);
  if (hit !== undefined) return hit;
  const html = renderPanel(p);
  if (rendered.size >= RENDERED_MAX) rendered.delete(rendered.keys().next().value!);
  rendered.set(key, html);
  return html;
}

/** The whole page. */
export function renderPage(data: PageData, options: PageOptions): string {
  const f = formats(data.snapshot.currency, data.snapshot.time_zone);
  return head(`Sales dashboard · ${data.snapshot.as_of}`, options.csrf) +
    `<body><header><h1>Sales dashboard</h1><p class="meta">As of ${esc(data.snapshot.as_of)} · ${
      esc(PERIOD_LABEL[data.filter.period]!)
    } from ${esc(data.filter.start)}${
      data.filter.source ? ` · source ${esc(data.filter.source)}` : ""
    } · ${esc(data.snapshot.currency)}, ${esc(data.snapshot.time_zone)} · snapshot ${
      esc(f.dateTime(data.snapshot.created_at))
    }</p>${filterForm(data)}${options.extra ?? ""}</header><main data-snapshot="${
      esc(data.snapshot.id)
    }">${
      buildPanels(data, options.zohoWebUrl).map(renderPanelCached).join("")
    }</main></body></html>`;
}

/** The page when no snapshot exists yet. */
export function renderEmptyPage(options: PageOptions): string {
  return head("Sales dashboard", options.csrf) +
    `<body><header><h1>Sales dashboard</h1><p class="meta">No metrics snapshot yet: run the ` +
    `pipeline (sync, then metrics).</p>${options.extra ?? ""}</header></body></html>`;
}

/** The 401 page: says why, shows nothing else. */
export function renderUnauthorizedPage(reason: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>Link needed</title></head><body style="font-family:system-ui,sans-serif;` +
    `max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>Link needed</h1><p>${esc(reason)}</p>` +
    `<p>Ask for a new dashboard link (send <em>dashboard</em> on WhatsApp).</p></body></html>`;
}
