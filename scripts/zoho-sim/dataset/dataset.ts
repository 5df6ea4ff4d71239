/**
 * The AHA Smart Homes demo company as pure functions of (seed, module, index). `createDataset`
 * gives random access for the simulator; `iterateRecords` streams a module in id order with flat
 * memory, so benchmarks and sync tests can compute the expected truth record by record.
 */
import type { GenContext } from "./context.ts";
import { activityTimes, genActivity } from "./gen_activities.ts";
import {
  campaignName,
  campaignTimes,
  genCampaign,
  genInstaller,
  genLink,
  genProduct,
  installerTimes,
  linkTimes,
  productTimes,
} from "./gen_catalog.ts";
import { dealTimes, genDeal, genStageHistory } from "./gen_deals.ts";
import { genLead, leadDeletion, leadPendingApproval, leadTimes } from "./gen_leads.ts";
import { accountTimes, contactTimes, genAccount, genContact } from "./gen_people.ts";
import { moduleByName } from "./modules.ts";
import { ANCHOR, baseCount, conversionOfLead, makePlan, type Plan } from "./plan.ts";
import { parseDateTime } from "./time_format.ts";
import type { BaseDeletion, FieldDef, RecordTimes, ZohoRecord } from "./types.ts";

export { ANCHOR };

/** Dataset options: seed, size and the org's UTC offset ("+05:30"). */
export interface DatasetOptions {
  seed?: number;
  leads?: number;
  orgTimezoneOffset?: string;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_LEADS = 3000;
export const DEFAULT_OFFSET = "+05:30";

/** Random access to the generated company. */
export interface Dataset {
  ctx: GenContext;
  plan: Plan;
  count(module: string): number;
  /** Full record (formula fields evaluated at `now`, epoch seconds). */
  record(module: string, index: number, now?: number): ZohoRecord;
  times(module: string, index: number): RecordTimes;
  deletion(module: string, index: number): BaseDeletion | null;
  pendingApproval(module: string, index: number): boolean;
  converted(module: string, index: number): boolean;
  fields(module: string): readonly FieldDef[];
  stageHistory(dealIndex: number): ZohoRecord[];
}

const ACTIVITIES = new Set(["Calls", "Tasks", "Events", "Notes"]);

/** Builds the dataset handle. */
export function createDataset(options: DatasetOptions = {}): Dataset {
  const plan = makePlan(options.seed ?? DEFAULT_SEED, options.leads ?? DEFAULT_LEADS);
  const ctx: GenContext = { plan, offset: options.orgTimezoneOffset ?? DEFAULT_OFFSET };
  return {
    ctx,
    plan,
    count: (module) => baseCount(plan, module),
    record: (module, index, now = ANCHOR) => finish(module, generate(ctx, module, index), now),
    times: (module, index) => baseTimes(ctx, module, index),
    deletion: (module, index) => (module === "Leads" ? leadDeletion(ctx, index) : null),
    pendingApproval: (module, index) => module === "Leads" && leadPendingApproval(ctx, index),
    converted: (module, index) => module === "Leads" && conversionOfLead(plan, index) >= 0,
    fields: (module) => moduleByName(module)?.fields ?? [],
    stageHistory: (k) => genStageHistory(ctx, k),
  };
}

function generate(ctx: GenContext, module: string, i: number): ZohoRecord {
  switch (module) {
    case "Leads":
      return genLead(ctx, i, campaignName);
    case "Deals":
      return genDeal(ctx, i, campaignName);
    case "Contacts":
      return genContact(ctx, i);
    case "Accounts":
      return genAccount(ctx, i);
    case "Campaigns":
      return genCampaign(ctx, i);
    case "Products":
      return genProduct(ctx, i);
    case "Installers":
      return genInstaller(ctx, i);
    case "Installers_X_Deals":
      return genLink(ctx, i);
    default:
      if (ACTIVITIES.has(module)) return genActivity(ctx, module, i);
      throw new RangeError(`Cannot generate records of module: ${module}`);
  }
}

function baseTimes(ctx: GenContext, module: string, i: number): RecordTimes {
  switch (module) {
    case "Leads":
      return leadTimes(ctx, i);
    case "Deals":
      return dealTimes(ctx, i);
    case "Contacts":
      return contactTimes(ctx, i);
    case "Accounts":
      return accountTimes(ctx, i);
    case "Campaigns":
      return campaignTimes(ctx, i);
    case "Products":
      return productTimes(ctx, i);
    case "Installers":
      return installerTimes(ctx, i);
    case "Installers_X_Deals":
      return linkTimes(ctx, i);
    default:
      if (ACTIVITIES.has(module)) return activityTimes(ctx, module, i);
      throw new RangeError(`Cannot time records of module: ${module}`);
  }
}

/** Fills missing fields with null and evaluates formula fields at `now`. */
export function finish(module: string, rec: ZohoRecord, now: number): ZohoRecord {
  for (const field of moduleByName(module)?.fields ?? []) {
    if (field.data_type === "formula") rec[field.api_name] = evaluateFormula(field, rec, now);
    else if (!(field.api_name in rec)) rec[field.api_name] = null;
  }
  return rec;
}

/**
 * Formula values. Lead_Age_Days depends on the clock, so it changes without a Modified_Time bump
 * (Estuary docs: formula changes do not bump Modified_Time).
 */
function evaluateFormula(field: FieldDef, rec: ZohoRecord, now: number): unknown {
  if (field.api_name === "Lead_Age_Days") {
    const created = parseDateTime(String(rec.Created_Time));
    return created === null ? null : ageDays(created, now);
  }
  if (field.api_name === "Weighted_Amount") {
    const amount = Number(rec.Amount ?? 0);
    const probability = Number(rec.Probability ?? 0);
    return Math.round(amount * probability) / 100;
  }
  return null;
}

/** Whole days from `created` to `now` (Lead_Age_Days). */
export function ageDays(created: number, now: number): number {
  return Math.floor((now - created) / 86400);
}

/**
 * What a record's clock-dependent formulas read: its creation time when the module has
 * Lead_Age_Days, else null (the record then renders the same at any clock).
 */
export function clockInput(module: string, rec: ZohoRecord): number | null {
  const fields = moduleByName(module)?.fields ?? [];
  if (!fields.some((f) => f.data_type === "formula" && f.api_name === "Lead_Age_Days")) return null;
  return parseDateTime(String(rec.Created_Time));
}

/** Options for streaming a module. */
export interface IterateOptions extends DatasetOptions {
  module: string;
  /** Clock for formula fields; defaults to the dataset anchor. */
  now?: number;
  /** Include records deleted before the simulation started (default false). */
  includeDeleted?: boolean;
}

/**
 * Streams every base record of a module in ascending id order, as single-record GET returns it
 * (all fields, subforms, full rich text, $converted_detail). Memory stays flat at any size.
 */
export function* iterateRecords(options: IterateOptions): Generator<ZohoRecord> {
  const ds = createDataset(options);
  const n = ds.count(options.module);
  for (let i = 0; i < n; i++) {
    if (!options.includeDeleted && ds.deletion(options.module, i) !== null) continue;
    yield ds.record(options.module, i, options.now);
  }
}
