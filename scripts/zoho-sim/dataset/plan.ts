/**
 * Sizes and cross-module index arithmetic. Everything is O(1) so a record can be generated from
 * (seed, module, index) alone: leads come in blocks of five, exactly one of which converts; the
 * k-th conversion creates contact k and deal k and attaches to account floor(k * A / C).
 */
import { hash } from "./rng.ts";

/** Fixed "now" of the dataset: the simulator clock starts here. 2026-03-04T04:45:30Z. */
export const ANCHOR = Date.UTC(2026, 2, 4, 4, 45, 30) / 1000;
export const HISTORY_DAYS = 1096;
export const HISTORY_START = ANCHOR - HISTORY_DAYS * 86400;
export const MONTH_SECONDS = (HISTORY_DAYS * 86400) / 36;
export const INSTALLERS = 12;
export const PRODUCT_COUNT = 24;
/** Two ad campaigns (Facebook, Google Ads) per month plus a quarterly trade show. */
export const CAMPAIGN_COUNT = 36 * 2 + 12;

/** Record counts per module for a dataset size. */
export interface Plan {
  seed: number;
  leads: number;
  conversions: number;
  accounts: number;
  contacts: number;
  deals: number;
  calls: number;
  tasks: number;
  events: number;
  notes: number;
}

/** Computes the plan for `leads` leads. */
export function makePlan(seed: number, leads: number): Plan {
  const conversions = Math.floor(leads / 5);
  const accounts = conversions === 0 ? 0 : Math.max(1, Math.ceil(conversions * 0.8));
  return {
    seed,
    leads,
    conversions,
    accounts,
    contacts: conversions + Math.floor(conversions / 4),
    deals: conversions,
    calls: Math.floor(leads * 0.6),
    tasks: Math.floor(leads * 0.4),
    events: Math.floor(leads * 0.15),
    notes: Math.floor(leads * 0.3),
  };
}

/** Count of base records per module. */
export function baseCount(plan: Plan, module: string): number {
  switch (module) {
    case "Leads":
      return plan.leads;
    case "Contacts":
      return plan.contacts;
    case "Accounts":
      return plan.accounts;
    case "Deals":
      return plan.deals;
    case "Installers_X_Deals":
      return plan.deals;
    case "Calls":
      return plan.calls;
    case "Tasks":
      return plan.tasks;
    case "Events":
      return plan.events;
    case "Notes":
      return plan.notes;
    case "Products":
      return PRODUCT_COUNT;
    case "Campaigns":
      return CAMPAIGN_COUNT;
    case "Installers":
      return INSTALLERS;
    default:
      return 0;
  }
}

/** Lead index of conversion k. */
export function convertedLeadIndex(plan: Plan, k: number): number {
  return 5 * k + (hash(plan.seed, 77, k) % 5);
}

/** Conversion number of lead i, or -1 when the lead is not converted. */
export function conversionOfLead(plan: Plan, i: number): number {
  const k = Math.floor(i / 5);
  if (k >= plan.conversions) return -1;
  return convertedLeadIndex(plan, k) === i ? k : -1;
}

/** Account that conversion k attaches to. */
export function accountOfConversion(plan: Plan, k: number): number {
  return Math.floor((k * plan.accounts) / plan.conversions);
}

/** First conversion that created account a. */
export function firstConversionOfAccount(plan: Plan, a: number): number {
  return Math.ceil((a * plan.conversions) / plan.accounts);
}

/** Lead-creation timeline: a seasonal, growing inverse CDF over the history days. */
const cdf = buildCdf();

function buildCdf(): Float64Array {
  const out = new Float64Array(HISTORY_DAYS + 1);
  let total = 0;
  for (let d = 0; d < HISTORY_DAYS; d++) {
    const date = new Date((HISTORY_START + d * 86400) * 1000);
    const doy = (date.getUTCMonth() * 30.4 + date.getUTCDate()) % 365;
    const spring = 1 + 0.3 * Math.sin((2 * Math.PI * (doy - 60)) / 365);
    const holiday = date.getUTCMonth() >= 10 ? 1.35 : 1; // Black Friday / holiday gifting
    const weekday = date.getUTCDay() === 0 || date.getUTCDay() === 6 ? 0.55 : 1;
    const growth = 1 + (0.8 * d) / HISTORY_DAYS;
    total += spring * holiday * weekday * growth;
    out[d + 1] = total;
  }
  for (let d = 0; d <= HISTORY_DAYS; d++) out[d] = (out[d] as number) / total;
  return out;
}

/** Maps u in [0,1) to a time in the history window, monotonically, during business hours. */
export function timelineAt(u: number): number {
  let lo = 0;
  let hi = HISTORY_DAYS;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((cdf[mid] as number) <= u) lo = mid;
    else hi = mid;
  }
  const a = cdf[lo] as number;
  const b = cdf[lo + 1] as number;
  const frac = b > a ? (u - a) / (b - a) : 0;
  // 07:00 to 21:00 UTC-ish working window; exact local hours do not matter for the sync.
  return Math.floor(HISTORY_START + lo * 86400 + 7 * 3600 + frac * 14 * 3600);
}

/** Month number (0..35) of a timestamp within the history. */
export function monthOf(t: number): number {
  return Math.min(35, Math.max(0, Math.floor((t - HISTORY_START) / MONTH_SECONDS)));
}
