/**
 * The intent registry: every question WhatsApp can answer, as data (name, description, parameter
 * schema, the `ask.*` SQL function it calls and the template of its reply). The keyword matcher
 * and the model matcher both choose from this list; nothing else runs SQL for a question.
 */
import { dealStatus, lastSync } from "./intents_deal.ts";
import {
  anomalies,
  dataQuality,
  leadConversion,
  leadConversionBySource,
  leads,
  leadsByOwner,
  leadsBySource,
  responseTime,
  sourceRoi,
  untouchedLeads,
} from "./intents_leads.ts";
import {
  pipeline,
  pipelineByOwner,
  pipelineBySource,
  pipelineByStage,
  pipelineChange,
  stageConversion,
} from "./intents_pipeline.ts";
import { closingSoon, newDeals, slippedDeals, staleDeals, topDeals } from "./intents_deal_lists.ts";
import { forecast } from "./intents_forecast.ts";
import { nextActions, redFlags } from "./intents_briefing.ts";
import { compare, whyLeads, whyPipeline, whyRevenue } from "./intents_why.ts";
import {
  dealSize,
  lostDeals,
  ownerLeaderboard,
  revenue,
  revenueBySource,
  revenueTrend,
  salesCycle,
  salesVelocity,
  winRate,
} from "./intents_revenue.ts";
import type { Intent } from "./registry.ts";

/** Every intent, in the order `help` lists them. */
export const INTENTS: readonly Intent[] = [
  revenue,
  revenueBySource,
  revenueTrend,
  forecast,
  ownerLeaderboard,
  winRate,
  lostDeals,
  dealSize,
  salesCycle,
  salesVelocity,
  leads,
  leadsBySource,
  leadsByOwner,
  responseTime,
  untouchedLeads,
  leadConversion,
  leadConversionBySource,
  sourceRoi,
  anomalies,
  dataQuality,
  pipeline,
  pipelineByStage,
  pipelineByOwner,
  pipelineBySource,
  topDeals,
  closingSoon,
  staleDeals,
  slippedDeals,
  newDeals,
  pipelineChange,
  stageConversion,
  dealStatus,
  lastSync,
  nextActions,
  redFlags,
  compare,
  whyRevenue,
  whyLeads,
  whyPipeline,
];

const BY_NAME = new Map(INTENTS.map((i) => [i.name, i]));

/** The intent called `name`, if any. */
export function intentByName(name: string): Intent | undefined {
  return BY_NAME.get(name);
}
