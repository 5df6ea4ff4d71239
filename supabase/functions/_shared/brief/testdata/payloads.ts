/**
 * Payload generators for the bound and property tests: every slot brief.driver_facts can fill
 * (2 + 2 lead movers, 2 + 2 conversion, 2 velocity, 2 + 2 money movers, 3 deals, 3 owners), the
 * 35 company facts of analytics.brief_fact_defs (4 with a previous value), quarter.elapsed and 3
 * anomalies, with huge numbers, long names
 * (any script), and nulls where a test asks for them.
 */
import type { Fact, Payload } from "../facts.ts";

const COMPANY: [string, string, string][] = [
  ["leads.day", "count", "day"],
  ["leads.wtd", "count", "wtd"],
  ["leads.wtd.growth", "pct", "wtd"],
  ["leads.mtd", "count", "mtd"],
  ["leads.mtd.growth", "pct", "mtd"],
  ["revenue.mtd", "currency", "mtd"],
  ["revenue.mtd.growth", "pct", "mtd"],
  ["revenue.qtd", "currency", "qtd"],
  ["revenue.qtd.target", "currency", "qtd"],
  ["revenue.qtd.attainment", "pct", "qtd"],
  ["revenue.ytd", "currency", "ytd"],
  ["win_rate.count", "pct", "t12m"],
  ["win_rate.value", "pct", "t12m"],
  ["win_rate.qtd.count", "pct", "qtd"],
  ["deal_size.avg", "currency", "t12m"],
  ["deal_size.median", "currency", "t12m"],
  ["sales_cycle.median", "days", "t12m"],
  ["sales_velocity", "currency_per_day", "t12m"],
  ["pipeline.open", "currency", "as_of"],
  ["pipeline.open_deals", "count", "as_of"],
  ["coverage.quarter", "ratio", "quarter"],
  ["coverage.required", "ratio", "t12m"],
  ["forecast.gap", "currency", "quarter"],
  ["deals.stale", "count", "as_of"],
  ["deals.slipped", "count", "as_of"],
  ["deals.past_stage_median", "count", "as_of"],
  ["deals.at_risk_amount", "currency", "as_of"],
  ["response.median", "hours", "mtd"],
  ["leads.untouched_recent", "count", "as_of"],
  ["cohort.lead_to_won", "pct", "cohort"],
  ["conversion_velocity.median", "days", "month"],
  ["conversion_velocity.trend", "days", "month"],
  ["open_deals.without_amount", "count", "as_of"],
  ["revenue.qtd.growth", "pct", "qtd"],
  ["quarter.elapsed", "pct", "qtd"],
  ["forecast.chance", "pct", "quarter"],
];

/** Company facts that carry the previous equal period's value (brief_fact_defs' prev_path). */
const WITH_PREV = new Set(["revenue.mtd", "revenue.qtd", "leads.wtd", "leads.mtd"]);

const PERIOD: Record<string, string> = {
  day: "2026-03-04..2026-03-04",
  wtd: "2026-03-02..2026-03-04",
  mtd: "2026-03-01..2026-03-04",
  qtd: "2026-01-01..2026-03-04",
  ytd: "2026-01-01..2026-03-04",
  t12m: "2025-03-05..2026-03-04",
  as_of: "2026-03-04",
  quarter: "2026-01-01..2026-03-31",
  cohort: "2025-11-01",
  month: "2026-03-01..2026-03-04",
};

/** Random source of numbers and names for one payload. */
export interface Gen {
  num(kind: string): number | null;
  name(): string;
}

/** A generated percentage as a probability: its size capped at 100 (one decimal). */
function probability(v: number | null): number | null {
  return v === null ? null : Math.round(Math.min(100, Math.abs(v)) * 10) / 10;
}

/** A payload with every slot filled by `gen`. */
export function fullPayload(gen: Gen): Payload {
  const facts: Fact[] = COMPANY.map(([id, unit, period]) => ({
    id,
    unit,
    period: PERIOD[period]!,
    // A chance is a probability: 0 to 100 by construction.
    value: id === "forecast.chance" ? probability(gen.num(unit)) : gen.num(unit),
    ...(WITH_PREV.has(id) ? { prev: gen.num(unit) } : {}),
  }));
  for (let i = 0; i < 3; i++) {
    facts.push({
      id: `anomaly.leads.source_${i}`,
      unit: "pct",
      period: "2026-02-26..2026-03-04",
      value: gen.num("pct"),
      from: gen.num("count"),
      to: gen.num("count"),
    });
  }
  const driver = (id: string, unit: string, extra: Partial<Fact> = {}): Fact => ({
    id,
    unit,
    period: "mtd",
    label: gen.name(),
    value: gen.num(unit),
    prev: gen.num(unit),
    ...extra,
  });
  for (const per of ["wtd", "mtd"]) {
    for (let i = 0; i < 2; i++) {
      facts.push(driver(`source.s${i}.leads.${per}`, "count", { change_pct: gen.num("pct") }));
    }
  }
  for (const m of ["lead_to_deal", "lead_to_won"]) {
    for (let i = 0; i < 2; i++) {
      facts.push(driver(`source.s${i}.${m}`, "pct", { change_pts: gen.num("pct") }));
    }
  }
  for (let i = 0; i < 2; i++) {
    facts.push(driver(`source.s${i}.conversion_days`, "days", { change: gen.num("days") }));
  }
  for (const m of ["pipeline_created", "won_revenue"]) {
    for (let i = 0; i < 2; i++) {
      facts.push(driver(`source.s${i}.${m}.mtd`, "currency", { change_pct: gen.num("pct") }));
    }
  }
  for (let i = 0; i < 2; i++) {
    facts.push({
      id: `deal.57257671300000005${i}`,
      unit: "currency",
      period: "as_of",
      label: gen.name(),
      owner: gen.name(),
      stage: gen.name(),
      value: gen.num("currency"),
      days: gen.num("days"),
      why: ["stale", "slipped", "past_stage_median"],
    });
  }
  facts.push({
    id: "forecast.p50",
    unit: "currency",
    period: PERIOD.quarter!,
    value: gen.num("currency"),
    low: gen.num("currency"),
    high: gen.num("currency"),
  });
  for (let i = 0; i < 1; i++) {
    facts.push({
      id: "forecast.deal",
      unit: "currency",
      period: PERIOD.quarter!,
      label: gen.name(),
      stage: gen.name(),
      value: gen.num("currency"),
      // Probabilities: 0 to 100 by construction (analytics.forecast rounds 100 × p).
      chance_pct: probability(gen.num("pct")),
    });
  }
  for (let i = 0; i < 3; i++) {
    facts.push(driver(`owner.o${i}.attainment`, "pct", {
      prev: undefined,
      period: "qtd",
      revenue: gen.num("currency"),
      target: gen.num("currency"),
    }));
  }
  // Nulls are left out of a fact by jsonb_strip_nulls, except `value`.
  for (const f of facts) {
    for (const k of Object.keys(f) as (keyof Fact)[]) {
      if (k !== "value" && (f[k] === null || f[k] === undefined)) delete f[k];
    }
  }
  return {
    snapshot_id: "00000000-0000-4000-8000-000000000002",
    as_of: "2026-03-04",
    currency: "USD",
    facts,
  };
}

/** A seeded pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCRIPTS = [
  "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ-&'.",
  "äöüßéèêçñåøæœ ÄÖÜÉÈÇÑ",
  "日本語中文漢字営業案件顧客売上",
  "абвгдежзийклмнопрстуфхцчшщ",
  "🚀📈💰🔥✅",
  "0123456789 #%$()/",
];

/** Names and numbers at random, with nulls at `nullRate` and the longest names often. */
export function randomGen(random: () => number, nullRate = 0.2): Gen {
  return {
    num(kind) {
      if (random() < nullRate) return null;
      const magnitude = 10 ** Math.floor(random() * 13);
      const v = Math.round((random() * 2 - 1) * magnitude * 100) / 100;
      return kind === "count" ? Math.round(Math.abs(v)) : v;
    },
    name() {
      const script = SCRIPTS[Math.floor(random() * SCRIPTS.length)]!;
      const length = random() < 0.5 ? 40 : 1 + Math.floor(random() * 40);
      return Array.from({ length }, () => [...script][Math.floor(random() * [...script].length)])
        .join("").trim() || "X";
    },
  };
}
