/**
 * The rules brief: the same structure and CRO voice as the model's, written by fixed sentences
 * from the payload's facts (numbers shown as the prompt shows them, each part citing its facts).
 * Used when no model is reachable, when `OLLAMA_MODEL=rules`, or when the model's attempts all
 * fail the check. Stored as `model: "rules"`; it never claims to be AI. Null facts are skipped,
 * so a thin payload gives fewer numbers, never a made-up one.
 */
import { type Fact, formatNumber, type NumberKind, type Payload } from "./facts.ts";
import type { Draft } from "./prompt.ts";

type Part = Draft["headline"];

function num(fact: Fact | undefined): number | undefined {
  return typeof fact?.value === "number" ? fact.value : undefined;
}

/** Builds the rules brief of a payload. */
export function rulesBrief(payload: Payload): Draft {
  const cur = payload.currency;
  const byId = new Map(payload.facts.map((f) => [f.id, f]));
  const get = (id: string) => byId.get(id);
  const fmt = (v: number, kind: NumberKind) => formatNumber(v, kind, cur);
  const drivers = (re: RegExp) =>
    payload.facts.filter((f) => re.test(f.id) && num(f) !== undefined);

  const look: Lookup = { get, fmt, drivers };
  return {
    headline: headline(get, fmt),
    critical_gap: criticalGap(look),
    immediate_action: immediateAction(fmt, drivers),
    insights: insights(look, (f) => payload.facts.indexOf(f)),
  };
}

type Get = (id: string) => Fact | undefined;
type Fmt = (v: number, kind: NumberKind) => string;
type Drivers = (re: RegExp) => Fact[];
/** A fact by id, the number format, and the driver facts matching a pattern. */
interface Lookup {
  get: Get;
  fmt: Fmt;
  drivers: Drivers;
}

function moved(value: number, fmt: Fmt): string {
  if (value === 0) return "flat";
  return `${value > 0 ? "up" : "down"} ${fmt(Math.abs(value), "pct")}`;
}

/**
 * The quarter, like for like: revenue to date against its target and the share of the quarter
 * gone (pace), then against the same days of last quarter. No month-on-month change here: on
 * the 4th of a month it compares three days with three days and says +662%.
 */
function headline(get: Get, fmt: Fmt): Part {
  const qtd = num(get("revenue.qtd"));
  const target = num(get("revenue.qtd.target"));
  const att = num(get("revenue.qtd.attainment"));
  const elapsed = num(get("quarter.elapsed"));
  const prev = get("revenue.qtd")?.prev;
  const growth = num(get("revenue.qtd.growth"));
  if (qtd === undefined) {
    return { text: "Revenue for this quarter is not available yet.", facts: [] };
  }
  let text = `Revenue QTD is ${fmt(qtd, "currency")}`;
  const facts = ["revenue.qtd"];
  if (target !== undefined && att !== undefined) {
    text += `, ${fmt(att, "pct")} of the ${fmt(target, "currency")} target`;
    facts.push("revenue.qtd.target", "revenue.qtd.attainment");
    if (elapsed !== undefined) {
      text += ` with ${fmt(elapsed, "pct")} of the quarter gone`;
      facts.push("quarter.elapsed");
    }
  }
  if (typeof prev === "number" && growth !== undefined) {
    text += `; ${moved(growth, fmt)} against ${
      fmt(prev, "currency")
    } in the same days last quarter`;
    facts.push("revenue.qtd.growth");
  } else if (typeof prev === "number") {
    text += `, against ${fmt(prev, "currency")} in the same days last quarter`;
  }
  return { text: `${text}.`, facts };
}

function criticalGap({ get, fmt, drivers }: Lookup): Part {
  const gap = num(get("forecast.gap"));
  const cov = num(get("coverage.quarter"));
  const req = num(get("coverage.required"));
  if (gap !== undefined && gap > 0) {
    let text = `The forecast is ${fmt(gap, "currency")} short of this quarter's target`;
    const facts = ["forecast.gap"];
    const p50 = num(get("forecast.p50"));
    const chance = num(get("forecast.chance"));
    if (p50 !== undefined) {
      text = `The quarter is likeliest to close at ${fmt(p50, "currency")}, ${
        fmt(gap, "currency")
      } short of target`;
      facts.push("forecast.p50");
      if (chance !== undefined) {
        text += ` (${fmt(chance, "pct")} chance of making it)`;
        facts.push("forecast.chance");
      }
    }
    if (cov !== undefined && req !== undefined) {
      text += `, with coverage at ${fmt(cov, "ratio")} against ${fmt(req, "ratio")} needed`;
      facts.push("coverage.quarter", "coverage.required");
    }
    return { text: `${text}.`, facts };
  }
  const risk = num(get("deals.at_risk_amount"));
  if (risk !== undefined && risk > 0) {
    return {
      text: `${fmt(risk, "currency")} of open pipeline is at risk: stale, slipped or past ` +
        "the stage median.",
      facts: ["deals.at_risk_amount"],
    };
  }
  const drop = drivers(/^source\..*\.leads\.mtd$/).filter((f) => (f.change_pct ?? 0) < 0)[0];
  if (drop) {
    return {
      text: `${drop.label} leads are ${moved(drop.change_pct!, fmt)} this month.`,
      facts: [drop.id],
    };
  }
  return { text: "No critical gap stands out in today's numbers.", facts: [] };
}

function immediateAction(fmt: Fmt, drivers: Drivers): Part {
  const deal = drivers(/^deal\./)[0];
  if (deal && deal.owner) {
    const days = typeof deal.days === "number" ? `, ${fmt(deal.days, "days")}` : "";
    const stage = deal.stage ? ` in ${deal.stage}` : "";
    return {
      text: `Push ${deal.owner} to move "${deal.label}" (${
        fmt(deal.value!, "currency")
      }${days}${stage}) forward today.`,
      facts: [deal.id],
    };
  }
  const drop = drivers(/^source\..*\.leads\.(mtd|wtd)$/).filter((f) => (f.change_pct ?? 0) < 0)[0];
  if (drop) {
    return {
      text: `Review the ${drop.label} lead flow today: leads are ${
        moved(drop.change_pct!, fmt)
      } (${drop.period}).`,
      facts: [drop.id],
    };
  }
  return { text: "Review every open deal's next step with the owners today.", facts: [] };
}

/**
 * Driver insights first, most material first (the payload's order: brief.driver_facts ranks by
 * dollar effect), then the company facts that frame them.
 */
function insights({ get, fmt, drivers }: Lookup, rank: (fact: Fact) => number): Part[] {
  const ranked: { part: Part; rank: number }[] = [];
  const add = (part: Part, fact?: Fact) =>
    ranked.push({ part, rank: fact ? rank(fact) : Number.MAX_SAFE_INTEGER });
  const lead = drivers(/^source\..*\.leads\.mtd$/)[0];
  if (lead && typeof lead.change_pct === "number" && typeof lead.prev === "number") {
    add({
      text: `${lead.label} leads are ${moved(lead.change_pct, fmt)} this month, ${
        fmt(lead.value!, "count")
      } against ${fmt(lead.prev, "count")}.`,
      facts: [lead.id],
    }, lead);
  }
  for (
    const [re, what] of [
      [/^source\..*\.pipeline_created\.mtd$/, "new pipeline"],
      [/^source\..*\.won_revenue\.mtd$/, "won revenue"],
    ] as const
  ) {
    const f = drivers(re)[0];
    if (f && typeof f.prev === "number") {
      add({
        text: `${f.label} brought ${fmt(f.value!, "currency")} of ${what} this month, against ${
          fmt(f.prev, "currency")
        } in the same days last month.`,
        facts: [f.id],
      }, f);
    }
  }
  const conv = drivers(/^source\..*\.lead_to_(deal|won)$/)[0];
  if (conv && typeof conv.prev === "number") {
    const to = conv.id.endsWith(".lead_to_won") ? "won deals" : "deals";
    add({
      text: `${conv.label} leads created in ${conv.period?.replace(/^cohort /, "")} converted ${
        fmt(conv.value!, "pct")
      } to ${to}, against ${fmt(conv.prev, "pct")} the month before.`,
      facts: [conv.id],
    }, conv);
  }
  const owner = drivers(/^owner\./)[0];
  if (owner) {
    add({
      text: `${owner.label} is at ${fmt(owner.value!, "pct")} of target this quarter.`,
      facts: [owner.id],
    }, owner);
  }
  const win = num(get("win_rate.count"));
  if (win !== undefined) {
    add({
      text: `Win rate is ${fmt(win, "pct")} by count over the trailing year.`,
      facts: ["win_rate.count"],
    });
  }
  const open = num(get("pipeline.open"));
  const deals = num(get("pipeline.open_deals"));
  if (open !== undefined && deals !== undefined) {
    add({
      text: `Open pipeline is ${fmt(open, "currency")} across ${fmt(deals, "count")} deals.`,
      facts: ["pipeline.open", "pipeline.open_deals"],
    });
  }
  const out = ranked.sort((a, b) => a.rank - b.rank).map((r) => r.part);
  const fillers = [
    "Lead sources show no clear mover yet.",
    "Win rate needs more closed deals before it says much.",
    "Fresh numbers arrive with the next sync.",
  ];
  while (out.length < 3) out.push({ text: fillers[out.length]!, facts: [] });
  return out.slice(0, 5);
}
