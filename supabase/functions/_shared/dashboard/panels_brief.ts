/**
 * The latest brief: its headline, critical gap, immediate action and insights, with every number
 * the brief check accepted marked and linked to the fact it came from; the facts table links each
 * fact to the panel that charts it.
 */
import { num, Obj, type Row, str } from "./data.ts";
import { z } from "zod";
import type { Formats } from "./format.ts";
import { esc } from "./html.ts";
import { type Cell, col, definePanel } from "./panel.ts";

/** Which panel charts a fact, by id prefix (the first match wins; more specific first). */
const FACT_PANELS: [prefix: string, panel: string][] = [
  ["leads.untouched", "data-quality"],
  ["open_deals.", "data-quality"],
  ["revenue.", "tiles"],
  ["leads.", "leads-by-source"],
  ["win_rate.", "win-rate"],
  ["deal_size.", "velocity"],
  ["sales_cycle.", "velocity"],
  ["sales_velocity", "velocity"],
  ["pipeline.", "pipeline-by-stage"],
  ["coverage.", "coverage"],
  ["forecast.", "forecast"],
  ["deals.", "risky-deals"],
  ["deal.", "risky-deals"],
  ["response.", "lead-response"],
  ["cohort.", "cohorts"],
  ["conversion_velocity.", "funnel"],
  ["anomaly.", "anomalies"],
  ["owner.", "owners"],
];

/** The panel id that charts a fact (source drivers by what they measure). */
export function factPanel(id: string): string {
  if (id.startsWith("source.")) {
    if (id.includes(".leads")) return "leads-by-source";
    if (id.includes("won_revenue")) return "revenue-by-month";
    if (id.includes("pipeline")) return "pipeline-by-month";
    return "campaign-roi";
  }
  return FACT_PANELS.find(([p]) => id.startsWith(p))?.[1] ?? "tiles";
}

function factValue(f: Formats, fact: Row): string {
  const v = num(fact, "value");
  switch (str(fact, "unit")) {
    case "currency":
      return f.money(v);
    case "currency_per_day":
      return `${f.money(v)} per day`;
    case "pct":
      return f.pct(v);
    case "ratio":
      return f.ratio(v);
    case "days":
      return f.days(v);
    case "hours":
      return v === null ? f.count(v) : `${v} h`;
    default:
      return f.count(v);
  }
}

const anchor = (id: string) => `fact-${id.replace(/[^\w.-]/g, "_")}`;

/** One section's text with its accepted number claims marked, as HTML. */
export function markClaims(text: string, claims: Row[]): string {
  let out = "";
  let at = 0;
  for (const c of claims) {
    const claim = str(c, "claim");
    const i = claim ? text.indexOf(claim, at) : -1;
    if (i < 0) continue;
    const facts = Array.isArray(c.facts) ? c.facts.map(String) : [];
    const title = `Checked: ${str(c, "reason")}`;
    const inner = esc(claim);
    out += esc(text.slice(at, i)) + `<mark class="checked" title="${esc(title)}">` +
      (facts[0] ? `<a href="#${anchor(facts[0])}">${inner}</a>` : inner) + `</mark>`;
    at = i + claim.length;
  }
  return out + esc(text.slice(at));
}

/** The brief panel, or none when no brief has been written yet. */
export const briefPanel = definePanel({
  id: "brief",
  fields: z.object({ brief: Obj.nullable().optional() }),
  build: (ctx, { brief }) => {
    const b = brief;
    if (!b) return null;
    const content = (b.content ?? {}) as Record<string, unknown>;
    const claims = (b.claims as Row[]).filter((c) => c.kind === "number" && c.ok === true);
    const section = (key: string, label: string) => {
      const text = str(content[key] as Row, "text");
      if (!text) return "";
      const mine = claims.filter((c) => c.section === key);
      return `<p><strong>${esc(label)}:</strong> ${markClaims(text, mine)}</p>`;
    };
    const insights = Array.isArray(content.insights) ? content.insights : [];
    const body = `<div class="brief">` +
      section("headline", "Headline") +
      section("critical_gap", "Critical gap") +
      section("immediate_action", "Immediate action") +
      (insights.length
        ? `<ul>${
          insights.map((x, i) =>
            `<li>${
              markClaims(
                str(x as Row, "text"),
                claims.filter((c) => c.section === `insights[${i}]`),
              )
            }</li>`
          )
            .join("")
        }</ul>`
        : "") +
      `</div>`;
    const facts = b.facts as Row[];
    return {
      question: "What does the latest brief say, and where does each number come from?",
      note: `Written ${ctx.f.dateTime(str(b, "created_at"))} from the snapshot of ${
        str(b, "as_of")
      } by ${str(b, "model") === "rules" ? "the rules (no model)" : str(b, "model")}; ${
        b.checked ? `${claims.length} numbers checked against the facts` : "not checked"
      }`,
      body,
      rows: facts,
      rowIds: facts.map((x) => anchor(str(x, "id"))),
      columns: [
        {
          label: "Fact",
          cell: (x) => str(x, "label") ? `${str(x, "id")} (${str(x, "label")})` : str(x, "id"),
        },
        { label: "Value", cell: (x) => factValue(ctx.f, x) },
        col("Period", "period"),
        {
          label: "Chart",
          cell: (x): Cell => ({ text: "see chart", href: `#${factPanel(str(x, "id"))}` }),
        },
      ],
    };
  },
});
