/** One named deal's status (fuzzy name match, candidates when ambiguous) and data freshness. */
import { z } from "zod";
import { formatDay, formatMoney, formatNumber, formatPct } from "./format.ts";
import { defineIntent, NAME, NUM, TEXT } from "./registry.ts";

export const dealStatus = defineIntent({
  name: "deal_status",
  description: "Where a named deal stands (stage, amount, close date, last activity)",
  example: "how is the Okafor deal",
  params: z.object({ deal: NAME, owner: NAME.optional() }),
  cues: [["status", "deals"], ["deals"], ["status"]],
  sql: { fn: "ask.deal_status", args: (p) => [[p.deal, "text"], [p.owner ?? null, "text"]] },
  row: z.object({
    match: z.enum(["one", "ambiguous"]),
    name: TEXT.nullable(),
    owner: TEXT.nullable(),
    stage: TEXT.nullable(),
    amount: NUM,
    probability: NUM,
    closing_date: z.string().nullable(),
    is_closed: z.boolean(),
    days_since_change: NUM,
    last_activity_at: z.string().nullable(),
    score: z.number(),
  }),
  render(rows, p, { currency }) {
    const [d] = rows;
    if (!d) return `I found no deal named "${p.deal}". Try part of the deal's name.`;
    if (d.match === "ambiguous") {
      return [`"${p.deal}" fits ${rows.length} deals — which one? Add the rep's name to narrow:`]
        .concat(
          rows.map((c) =>
            `• ${c.name} — ${c.stage}, ${formatMoney(c.amount, currency)}, ${c.owner ?? "no owner"}`
          ),
        ).join("\n");
    }
    const lines = [
      `${d.name}: ${d.stage}, ${formatMoney(d.amount, currency)}, owner ${d.owner ?? "none"}.`,
    ];
    if (!d.is_closed) {
      lines.push(
        `Closes ${formatDay(d.closing_date, true)} (probability ${formatPct(d.probability)}).`,
      );
    }
    lines.push(
      `Last change or activity ${formatNumber(d.days_since_change)} days ago${
        d.last_activity_at ? `; last activity ${formatDay(d.last_activity_at.slice(0, 10))}` : ""
      }.`,
    );
    return lines.join("\n");
  },
});

export const lastSync = defineIntent({
  name: "last_sync",
  description: "When the CRM data was last synced",
  example: "when was data last synced",
  params: z.object({}),
  cues: [["sync"]],
  sql: { fn: "ask.last_sync", args: () => [], asOf: false },
  row: z.object({
    finished_at: z.string(),
    status: TEXT,
    mode: TEXT,
    started_at: z.string(),
  }),
  render([r]) {
    if (!r) return "The CRM has not been synced yet.";
    return `Last sync: ${r.mode}, ${r.status}, last progress ${
      r.finished_at.slice(0, 16).replace("T", " ")
    } UTC.`;
  },
});
