/** Deal-list intents: the largest, closing, stale, slipped (and pushed) and new open deals. */
import { z } from "zod";
import { formatDay, formatMoney, formatNumber, plural } from "./format.ts";
import { ClosingPeriodSchema, PeriodSchema } from "./periods.ts";
import { defineIntent, INT, NAME, NUM, TEXT } from "./registry.ts";

/** A deal line in lists. */
export const DealItem = z.object({
  name: TEXT.nullable(),
  owner: TEXT.nullable(),
  stage: TEXT.nullable(),
  amount: NUM,
  closing_date: z.string().nullable(),
});

function dealLine(d: z.infer<typeof DealItem>, currency: string): string {
  return `${d.name ?? "(unnamed)"} — ${formatMoney(d.amount, currency)}, ${d.stage}, ${
    d.owner ?? "no owner"
  }, closes ${formatDay(d.closing_date)}`;
}

export const topDeals = defineIntent({
  name: "top_deals",
  description: "Largest open deals, optionally of a rep or stage",
  example: "top 5 deals",
  params: z.object({
    limit: z.number().int().min(1).max(10).default(5),
    owner: NAME.optional(),
    stage: NAME.optional(),
  }),
  cues: [["top", "deals"], ["top", "pipeline"]],
  sql: {
    fn: "ask.top_deals",
    args: (p) => [[p.limit, "integer"], [p.owner ?? null, "text"], [p.stage ?? null, "text"]],
  },
  row: DealItem.extend({ rank: INT }),
  render(rows, p, { currency }) {
    if (!rows.length) return "No open deals match.";
    const slice = [p.owner && `of ${p.owner}`, p.stage && `in ${p.stage}`].filter(Boolean);
    return [`Top open deals${slice.length ? ` ${slice.join(" ")}` : ""}:`].concat(
      rows.map((d) => `${d.rank}. ${dealLine(d, currency)}`),
    )
      .join("\n");
  },
});

export const closingSoon = defineIntent({
  name: "closing_soon",
  description: "Open deals due to close this week (or month, quarter)",
  example: "what's closing this week",
  params: z.object({ period: ClosingPeriodSchema.default("this_week"), owner: NAME.optional() }),
  cues: [["closing"], ["closing", "deals"], ["closing", "top"]],
  sql: { fn: "ask.closing_soon", args: (p) => [[p.period, "text"], [p.owner ?? null, "text"]] },
  row: z.object({
    label: TEXT,
    deals: INT,
    amount: z.number(),
    weighted_amount: z.number(),
    top: z.array(DealItem),
  }),
  render([r], p, { currency }) {
    const of = p.owner ? ` (${p.owner})` : "";
    if (!r || r.deals === 0) return `No open deals${of} due to close ${r?.label ?? "then"}.`;
    return [
      `Closing ${r.label}${of}: ${plural(r.deals, "deal")}, ${
        formatMoney(r.amount, currency)
      } (weighted ${formatMoney(r.weighted_amount, currency)}). Largest:`,
    ].concat(r.top.map((d) => `• ${dealLine(d, currency)}`)).join("\n");
  },
});

const RiskRow = z.object({
  deals: INT,
  amount: z.number(),
  open_deals: INT,
  top: z.array(DealItem.extend({ days_since_change: NUM.optional() })),
  pushed: INT,
  pushed_amount: z.number(),
  pushed_top: z.array(DealItem.extend({ pushes: INT })),
  by_owner: z.array(z.object({ owner: TEXT.nullable(), deals: INT, amount: z.number() })),
});

/** A deal whose closing date moved later: its line and how many times. */
function pushedLine(d: z.infer<typeof DealItem> & { pushes: number }, currency: string): string {
  return `${dealLine(d, currency)}, pushed ${d.pushes === 1 ? "once" : `${d.pushes} times`}`;
}

function riskIntent(kind: "stale" | "slipped") {
  return defineIntent({
    name: `${kind}_deals`,
    description: kind === "stale"
      ? "Open deals idle longer than their stage allows"
      : "Open deals whose closing date has passed",
    example: kind === "stale" ? "stuck deals" : "overdue deals",
    params: z.object({ owner: NAME.optional(), stage: NAME.optional() }),
    cues: [[kind], [kind, "deals"]],
    sql: {
      fn: "ask.deal_risk",
      args: (
        p,
      ) => [[kind, "text"], [p.owner ?? null, "text"], [p.stage ?? null, "text"]],
    },
    row: RiskRow,
    render([r], p, { currency }) {
      const slice = [p.owner, p.stage && `in ${p.stage}`].filter(Boolean).join(", ");
      const of = slice ? ` (${slice})` : "";
      // "Which deals got pushed" asks for slipped deals too: the deals whose closing date moved
      // later are said beside those past it.
      const pushed = kind === "slipped" && r && r.pushed > 0;
      if (!r || (r.deals === 0 && !pushed)) return `No ${kind} deals${of}.`;
      if (r.deals === 0) {
        return [
          `No open deal${of} is past its closing date. ${plural(r.pushed, "open deal")} of ${
            formatNumber(r.open_deals)
          } had it pushed later: ${formatMoney(r.pushed_amount, currency)}. Largest:`,
        ].concat(r.pushed_top.map((d) => `• ${pushedLine(d, currency)}`)).join("\n");
      }
      const what = kind === "stale" ? "stale (no change or activity)" : "past their closing date";
      return [
        `${plural(r.deals, "open deal")} of ${formatNumber(r.open_deals)}${of} ${what}: ${
          formatMoney(r.amount, currency)
        }. Largest:`,
      ].concat(
        r.top.map((d) =>
          `• ${dealLine(d, currency)}${
            kind === "stale" ? `, idle ${formatNumber(d.days_since_change ?? null)} days` : ""
          }`
        ),
        // Who has them, when the answer is not one rep's already.
        !p.owner && r.by_owner.length > 1
          ? [
            `Most by rep: ${
              r.by_owner.map((o) =>
                `${o.owner ?? "no owner"} ${formatNumber(o.deals)} (${
                  formatMoney(o.amount, currency)
                })`
              ).join(", ")
            }.`,
          ]
          : [],
        pushed
          ? [
            `Closing date pushed later: ${plural(r.pushed, "open deal")}, ${
              formatMoney(r.pushed_amount, currency)
            }.`,
          ]
          : [],
      ).join("\n");
    },
  });
}

export const staleDeals = riskIntent("stale");
export const slippedDeals = riskIntent("slipped");

export const newDeals = defineIntent({
  name: "new_deals",
  description: "Deals created in a period",
  example: "new deals this week",
  params: z.object({ period: PeriodSchema.default("this_week") }),
  cues: [["fresh", "deals"], ["fresh", "pipeline"]],
  sql: { fn: "ask.new_deals", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    deals: INT,
    amount: z.number(),
    prev_deals: INT,
    prev_amount: z.number(),
  }),
  render([r], _p, { currency }) {
    if (!r) return "No figure for that period.";
    return `New deals ${r.label}: ${formatNumber(r.deals)}, ${
      formatMoney(r.amount, currency)
    } (previous period ${formatNumber(r.prev_deals)}, ${formatMoney(r.prev_amount, currency)}).`;
  },
});
