/** Intents answered from today's brief and the risk lists: "what should I do", "any red flags". */
import { z } from "zod";
import { formatChange, formatDay, formatMoney, formatNumber, plural } from "./format.ts";
import { DAY, defineIntent, INT, NAME, NUM, TEXT } from "./registry.ts";

export const nextActions = defineIntent({
  name: "next_actions",
  description: "What to do today: the brief's critical gap, its action and the next two",
  example: "what should I do today",
  params: z.object({}),
  cues: [["todo"]],
  sql: { fn: "ask.next_actions", args: () => [] },
  row: z.object({
    as_of: DAY,
    model: TEXT,
    created_at: TEXT,
    critical_gap: TEXT.nullable(),
    immediate_action: TEXT.nullable(),
    next_steps: z.array(TEXT),
  }),
  render([r]) {
    if (!r) {
      return "No brief yet: the daily run has not written one, so I have no action to suggest. " +
        'Ask about a number meanwhile, e.g. "will we make the quarter".';
    }
    const lines = [`From the brief of ${formatDay(r.as_of)}:`];
    if (r.critical_gap) lines.push(`Critical gap: ${r.critical_gap}`);
    if (r.immediate_action) lines.push(`Do now: ${r.immediate_action}`);
    if (r.next_steps.length) {
      lines.push("Then look at:", ...r.next_steps.map((s) => `• ${s}`));
    }
    return lines.join("\n");
  },
});

const RiskTop = z.object({
  name: TEXT,
  owner: TEXT.nullable(),
  stage: TEXT.nullable(),
  amount: NUM,
  closing_date: DAY.nullable(),
  days_since_change: NUM,
});
const Anomaly = z.object({
  metric: TEXT,
  lead_source: TEXT,
  value: z.number(),
  prev_value: NUM,
  change_pct: NUM,
});

export const redFlags = defineIntent({
  name: "red_flags",
  description: "Red flags: unusual moves by source, slipped and stale deals",
  example: "any red flags",
  params: z.object({ owner: NAME.optional() }),
  cues: [["flags"]],
  sql: { fn: "ask.red_flags", args: (p) => [[p.owner ?? null, "text"]] },
  row: z.object({
    kind: TEXT,
    items: INT,
    amount: NUM,
    open_deals: NUM,
    top: z.array(z.unknown()),
  }),
  render(rows, p, { currency }) {
    const money = (x: number | null) => formatMoney(x, currency);
    const lines = [p.owner ? `Red flags in ${p.owner}'s deals:` : "Red flags:"];
    for (const r of rows) {
      if (r.kind === "anomaly") {
        if (!r.items) {
          lines.push("• No unusual moves by source this week.");
          continue;
        }
        for (const a of r.top.slice(0, 3).map((x) => Anomaly.parse(x))) {
          const v = (x: number | null) => (a.metric === "won_revenue" ? money(x) : formatNumber(x));
          lines.push(
            `• Unusual: ${a.lead_source} ${a.metric === "won_revenue" ? "won revenue" : "leads"} ${
              v(a.value)
            } this week vs ${v(a.prev_value)} the week before (${formatChange(a.change_pct)})`,
          );
        }
        continue;
      }
      const what = r.kind === "slipped"
        ? "open past their close date"
        : "idle longer than their stage allows";
      if (!r.items) {
        lines.push(`• No ${r.kind} deals (${plural(r.open_deals ?? 0, "open deal")} checked).`);
        continue;
      }
      const top = r.top.map((x) => RiskTop.parse(x)).map((d) =>
        `${d.name} (${money(d.amount)}${p.owner || !d.owner ? "" : `, ${d.owner}`})`
      );
      lines.push(
        `• ${r.kind === "slipped" ? "Slipped" : "Stale"}: ${plural(r.items, "deal")} (${
          money(r.amount)
        }) ${what}; largest: ${top.join(", ")}`,
      );
    }
    if (p.owner) {
      lines.push('Unusual moves are tracked by source, company-wide: ask "any red flags".');
    }
    return lines.join("\n");
  },
});
