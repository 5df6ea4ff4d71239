/**
 * Server-side charts: Apache ECharts in SSR mode with the SVG renderer, importing only the
 * chart types and components the panels use (echarts/core keeps the bundle small). Every chart
 * is rendered with animation off, a viewBox (so CSS scales it to a phone or a desktop) and
 * ECharts' aria description (its question and data summary).
 */
import { BarChart, HeatmapChart, LineChart } from "echarts/charts";
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  VisualMapComponent,
  AriaComponent,
  SVGRenderer,
]);

/** An ECharts option (the subset of modules registered above). */
export type ChartOption = Record<string, unknown>;

/** One series of a category chart. */
export interface SeriesSpec {
  name: string;
  data: (number | null)[];
  type?: "bar" | "line";
  stack?: string;
  axis?: 0 | 1;
  color?: string;
  /** Bars drawn but not shown (a waterfall's floating base). */
  invisible?: boolean;
}

/**
 * A bar/line chart over categories, with named axes and formatted value labels. `xName` names
 * the category axis and `yName` the value axis, whichever way the chart is drawn.
 */
export interface CategoryChart {
  categories: string[];
  series: SeriesSpec[];
  xName: string;
  yName: string;
  yFormat?: (v: number) => string;
  y2Name?: string;
  y2Format?: (v: number) => string;
  horizontal?: boolean;
}

const AXIS_NAME = { fontSize: 11, color: "#555" };

/** Builds the option of a category chart. */
export function categoryOption(c: CategoryChart): ChartOption {
  const all = c.categories.length <= 12 && !c.horizontal;
  const slant = all && c.categories.some((x) => String(x).length > 10);
  const cat = {
    type: "category",
    data: c.categories,
    name: c.xName,
    nameLocation: "middle",
    nameGap: c.horizontal ? 122 : slant ? 72 : 28,
    nameTextStyle: AXIS_NAME,
    // A few named categories (stages, sources) are all labelled, slanted when long; long
    // series (weeks, months) thin out their labels instead of overlapping them.
    axisLabel: all
      ? { interval: 0, fontSize: 11, ...(slant ? { rotate: 25 } : {}) }
      : { hideOverlap: true, fontSize: 11 },
  };
  const val = (name: string, fmt?: (v: number) => string) => ({
    type: "value",
    name,
    nameLocation: "middle",
    nameGap: c.horizontal ? 28 : 52,
    nameTextStyle: AXIS_NAME,
    axisLabel: { fontSize: 11, ...(fmt ? { formatter: fmt } : {}) },
  });
  const values = [val(c.yName, c.yFormat)];
  if (c.y2Name) values.push(val(c.y2Name, c.y2Format));
  const visible = c.series.filter((s) => !s.invisible);
  return {
    grid: {
      left: c.horizontal ? 140 : 64,
      right: c.y2Name ? 64 : 20,
      top: visible.length > 1 ? 36 : 16,
      bottom: slant ? 88 : 44,
    },
    legend: visible.length > 1 ? { top: 0, data: visible.map((s) => s.name) } : undefined,
    xAxis: c.horizontal ? values[0] : cat,
    yAxis: c.horizontal ? { ...cat, inverse: true } : values,
    series: c.series.map((s) => ({
      name: s.name,
      type: s.type ?? "bar",
      data: s.data,
      stack: s.stack,
      yAxisIndex: c.horizontal ? undefined : s.axis ?? 0,
      connectNulls: false,
      ...(s.color ? { itemStyle: { color: s.color }, lineStyle: { color: s.color } } : {}),
      ...(s.invisible ? { itemStyle: { color: "transparent" }, silent: true } : {}),
    })),
  };
}

/** Renders one chart to an SVG string (width × height is its aspect; CSS sets its size). */
export function renderChart(
  option: ChartOption,
  description: string,
  size: { width: number; height: number } = { width: 640, height: 300 },
): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, ...size });
  try {
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { description } },
      textStyle: { fontFamily: "system-ui, sans-serif" },
      ...option,
    });
    return chart.renderToSVGString({ useViewBox: true });
  } finally {
    chart.dispose();
  }
}
