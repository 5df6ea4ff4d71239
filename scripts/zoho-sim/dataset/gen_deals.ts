/** Deals: amounts by product tier, cycle lengths, win rates, and the stage path (Stage_History). */
import { DEAL_TIERS, LOSS_REASONS, OPEN_STAGE_COUNT, PRODUCTS, STAGES } from "./catalog.ts";
import {
  date,
  dollarKeys,
  dt,
  type GenContext,
  idOf,
  lookup,
  systemValues,
  userRef,
} from "./context.ts";
import {
  accountName,
  campaignOfLead,
  dealName,
  leadConvertedAt,
  leadCreated,
  leadPerson,
  leadSource,
} from "./gen_leads.ts";
import { STAGE_HISTORY_CODE } from "./modules.ts";
import { accountOfConversion, ANCHOR, convertedLeadIndex } from "./plan.ts";
import { recordId } from "./ids.ts";
import { hash, Rng } from "./rng.ts";
import type { RecordTimes, ZohoRecord } from "./types.ts";

const DAY = 86400;

/** One step of a deal's stage path. */
export interface StageStep {
  stage: number;
  at: number;
}

/** The facts of deal k every other view derives from. */
export interface DealCore {
  lead: number;
  created: number;
  closeAt: number;
  lines: { product: number; qty: number }[];
  amount: number;
  path: StageStep[];
  source: string;
  owner: number;
}

const SOURCE_WIN = new Map([["Referral", 1.35], ["Partner", 1.15], ["Facebook", 0.8]]);

/** Computes the deal's tier, amount, cycle and stage path. */
export function dealCore(ctx: GenContext, k: number): DealCore {
  const lead = convertedLeadIndex(ctx.plan, k);
  const created = leadConvertedAt(ctx, lead);
  const r = new Rng(hash(ctx.plan.seed, 30, k));
  const tier = r.weighted(DEAL_TIERS.map((t) => [t, t.weight] as const));
  const main = r.pick(tier.products);
  const lines: { product: number; qty: number }[] = [{
    product: main,
    qty: tier.cycleDays < 30 ? r.range(1, 3) : 1,
  }];
  if (r.chance(0.35)) lines.push({ product: 23, qty: 1 }); // annual service plan add-on
  const amount = lines.reduce((sum, l) => sum + (PRODUCTS[l.product]?.[2] ?? 0) * l.qty, 0);
  const cycle = Math.max(2, Math.round(tier.cycleDays * (0.5 + r.next())));
  const closeAt = created + cycle * DAY;
  const source = leadSource(ctx, lead);
  // Winter installs slip: Q4 deals close slower but win a bit more (holiday gifting).
  const month = new Date(created * 1000).getUTCMonth();
  const season = month >= 10 ? 1.1 : month <= 1 ? 0.9 : 1;
  const path: StageStep[] = [];
  if (closeAt <= ANCHOR) {
    const won = r.chance(Math.min(0.9, tier.winRate * (SOURCE_WIN.get(source) ?? 1) * season));
    const reached = won ? OPEN_STAGE_COUNT : 1 + r.int(OPEN_STAGE_COUNT - 1);
    const stages = pickStages(r, reached, won);
    stages.push(won ? 7 : r.chance(0.4) ? 9 : 8);
    spread(path, stages, created, closeAt);
  } else {
    const frac = (ANCHOR - created) / (closeAt - created);
    const current = Math.min(OPEN_STAGE_COUNT - 1, Math.floor(frac * OPEN_STAGE_COUNT));
    // An open deal entered its current stage some time ago (not at this instant): the stages
    // share the time since creation, the current one the last share.
    const stages = pickStages(r, current + 1, false);
    stages.forEach((stage, n) => {
      path.push({ stage, at: Math.floor(created + ((ANCHOR - created) * n) / stages.length) });
    });
  }
  return {
    lead,
    created,
    closeAt,
    lines,
    amount,
    path,
    source,
    owner: 2 + (hash(ctx.plan.seed, 21, lead) % 5),
  };
}

/** Open stages up to `count`, sometimes skipping middle ones (reps skip stages in real life). */
function pickStages(r: Rng, count: number, keepAll: boolean): number[] {
  const out: number[] = [];
  for (let s = 0; s < count; s++) {
    if (s === 0 || s === count - 1 || keepAll || !r.chance(0.25)) out.push(s);
  }
  return out;
}

function spread(path: StageStep[], stages: number[], from: number, to: number): void {
  const span = Math.max(0, to - from);
  stages.forEach((stage, n) => {
    const at = n === 0 ? from : Math.floor(from + (span * n) / Math.max(1, stages.length - 1));
    path.push({ stage, at: Math.min(ANCHOR, at) });
  });
}

export function dealTimes(ctx: GenContext, k: number): RecordTimes {
  const core = dealCore(ctx, k);
  const last = core.path[core.path.length - 1];
  return { created: core.created, modified: Math.max(core.created, last?.at ?? core.created) };
}

function stageOf(step: StageStep | undefined) {
  return STAGES[step?.stage ?? 0] as (typeof STAGES)[number];
}

/** The full deal record. */
export function genDeal(
  ctx: GenContext,
  k: number,
  campaignName: (c: number) => string,
): ZohoRecord {
  const core = dealCore(ctx, k);
  const r = new Rng(hash(ctx.plan.seed, 31, k));
  const last = core.path[core.path.length - 1];
  const stage = stageOf(last);
  const modified = Math.max(core.created, last?.at ?? core.created);
  const closed = stage.deal_category !== "Open";
  const a = accountOfConversion(ctx.plan, k);
  const person = leadPerson(ctx, core.lead);
  const campaign = campaignOfLead(core.source, leadCreated(ctx, core.lead));
  const closeDate = closed ? Math.min(core.closeAt, modified) : core.closeAt;
  return {
    id: idOf("Deals", k),
    Deal_Name: dealName(ctx, k),
    Account_Name: lookup("Accounts", a, accountName(ctx, a)),
    Contact_Name: lookup("Contacts", k, `${person.first} ${person.last}`),
    Amount: core.amount,
    Stage: stage.value,
    Probability: stage.probability,
    Expected_Revenue: Math.round((core.amount * stage.probability) / 100),
    Closing_Date: date(ctx, closeDate),
    Type: "New Business",
    Next_Step: closed ? null : r.pick(["Schedule site survey", "Send proposal", "Follow up call"]),
    Lead_Source: core.source,
    Campaign_Source: campaign >= 0 ? lookup("Campaigns", campaign, campaignName(campaign)) : null,
    Pipeline: "Standard (Standard)",
    Reason_For_Loss__s: stage.deal_category === "Closed Lost" ? r.pick(LOSS_REASONS) : null,
    Lead_Conversion_Time: Math.floor((core.created - leadCreated(ctx, core.lead)) / DAY),
    Sales_Cycle_Duration: closed ? Math.floor((modified - core.created) / DAY) : null,
    Overall_Sales_Duration: closed
      ? Math.floor((modified - leadCreated(ctx, core.lead)) / DAY)
      : null,
    Description: r.chance(0.3)
      ? "<p>Customer wants phased install; start with entry points.</p>"
      : null,
    Last_Activity_Time: dt(ctx, modified),
    ...systemValues(ctx, core.owner, core.created, modified),
    Installed_Devices: core.lines.map((line, n) => ({
      id: recordId(22, k * 4 + n),
      Product: lookup("Products", line.product, PRODUCTS[line.product]?.[0] ?? ""),
      Quantity: line.qty,
      Unit_Price: PRODUCTS[line.product]?.[2] ?? 0,
    })),
    Install_Date: stage.value === "Closed Won" ? date(ctx, modified + r.range(3, 30) * DAY) : null,
    ...dollarKeys(),
    $has_more: { Installed_Devices: false },
  };
}

/**
 * Where deal k's expected close slipped: a third of the deals with two stays or more first
 * expected to close after half to four fifths of their cycle, and moved the date out at a later
 * stage (the Closing_Date each Stage_History row shows). Null: never slipped.
 */
export function dealSlip(
  ctx: GenContext,
  k: number,
  core: DealCore,
): { before: number; early: number } | null {
  if (core.path.length < 2) return null;
  const r = new Rng(hash(ctx.plan.seed, 33, k));
  if (!r.chance(0.35)) return null;
  const early = core.created + Math.floor((core.closeAt - core.created) * (0.5 + 0.3 * r.next()));
  return { before: 1 + r.int(core.path.length - 1), early };
}

/** Stage_History related-list rows of deal k, newest first (as the related list shows them). */
export function genStageHistory(ctx: GenContext, k: number): ZohoRecord[] {
  const core = dealCore(ctx, k);
  const slip = dealSlip(ctx, k, core);
  const rows: ZohoRecord[] = core.path.map((step, n) => {
    const stage = stageOf(step);
    const next = core.path[n + 1];
    const end = next?.at ?? ANCHOR;
    return {
      id: recordId(STAGE_HISTORY_CODE, k * 16 + n),
      Stage: stage.value,
      Amount: core.amount,
      Probability: stage.probability,
      Expected_Revenue: Math.round((core.amount * stage.probability) / 100),
      Closing_Date: date(ctx, slip && n < slip.before ? slip.early : core.closeAt),
      Duration_Days: Math.floor((end - step.at) / DAY),
      Moved_To__s: next ? stageOf(next).value : null,
      Modified_Time: dt(ctx, step.at),
      Modified_By: userRef(core.owner),
    };
  });
  return rows.reverse();
}
