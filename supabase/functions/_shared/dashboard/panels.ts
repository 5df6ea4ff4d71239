/**
 * Every panel of the page, in the order shown: the one list the page renders from. A new panel is
 * a `PanelDef` (its question, note, rows and one column list) in a `panels_<area>.ts`, listed here.
 */
import type { PanelDef } from "./panel.ts";
import { briefPanel } from "./panels_brief.ts";
import { forecastPanel } from "./panels_forecast.ts";
import {
  anomaliesPanel,
  campaignRoiPanel,
  dataQualityPanel,
  leadResponsePanel,
  ownersPanel,
  syncHealthPanel,
} from "./panels_ops.ts";
import {
  coveragePanel,
  pipelineByMonthPanel,
  pipelineByStagePanel,
  riskyDealsPanel,
  stageConversionPanel,
  waterfallPanel,
} from "./panels_pipeline.ts";
import {
  cohortsPanel,
  funnelPanel,
  leadsBySourcePanel,
  revenueByMonthPanel,
  tilesPanel,
  velocityPanel,
  winRatePanel,
} from "./panels_revenue.ts";

/** The page's panels, in order. */
export const PANELS: readonly PanelDef[] = [
  briefPanel,
  tilesPanel,
  revenueByMonthPanel,
  leadsBySourcePanel,
  funnelPanel,
  cohortsPanel,
  winRatePanel,
  velocityPanel,
  forecastPanel,
  pipelineByStagePanel,
  pipelineByMonthPanel,
  coveragePanel,
  stageConversionPanel,
  riskyDealsPanel,
  waterfallPanel,
  leadResponsePanel,
  ownersPanel,
  campaignRoiPanel,
  dataQualityPanel,
  anomaliesPanel,
  syncHealthPanel,
];
