/**
 * lineChart: a standalone SVG line chart of per-epoch curves — the one chart kind the report draws.
 * d3-scale maps epochs and values to pixels and chooses the ticks and their labels (scale.ticks,
 * scale.tickFormat, scale.nice); d3-shape turns each curve into a path, leaving a gap wherever a
 * value is not finite (NaN from a diverged run, ±Infinity cannot be drawn). Layout, top to bottom:
 *
 *   title, subtitle (optional)
 *   marker labels, one row per marker ("best epoch 12", "divergence epoch 15"), above the plot so
 *   they never sit on a curve; their vertical rules cross the plot at their epochs
 *   the plot: horizontal grid lines at the y ticks, the curves, a dot at each series' highlighted epoch
 *   x ticks and the x-axis label; the legend, wrapped onto as many rows as it needs
 *
 * The y axis is the nice()d extent of every finite value drawn (a first epoch that is a huge outlier
 * is still shown: the chart never hides data). When the values are positive and span more than
 * LOG_SPAN (a run that blew up: RMSE 20 one epoch, 2·10^8 the next), the axis is logarithmic, says so
 * in its label, and prints large ticks with SI prefixes ("200M"), so neither the labels nor the
 * ordinary epochs are squashed out of sight. Text is escaped; styles are presentation attributes,
 * not a <style> element, because CSS inside an SVG inlined into HTML would apply to the whole page.
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import { escapeXml } from './escape.js';
import { LEGEND_ROW_HEIGHT, legendRows, renderLegend, type LegendItem } from './legend.js';
import { svgText } from './text-fit.js';

export interface ChartSeries {
  /** Written as data-series on the path (report tests and readers of the SVG find curves by it). */
  id: string;
  label: string;
  /** The value at epoch i + 1 is values[i]; non-finite values are skipped (a gap in the line). */
  values: readonly number[];
  colour: string;
  /** stroke-dasharray; none = solid. */
  dash?: string;
  /** An epoch (1-based) marked with a dot on this curve, e.g. the best epoch; null = none. */
  highlight?: number | null;
}

/** A vertical rule across the plot at an epoch, labelled "<name> <epoch>" above the plot. */
export interface ChartMarker {
  /** Written as the class "marker-<kind>" of the marker's group. */
  kind: string;
  /** What the marker means, e.g. 'best epoch' (the legend shows it). */
  name: string;
  epoch: number;
  colour: string;
  /** The label's colour, when `colour` is too light for text (4.5:1 on white). Default `colour`. */
  labelColour?: string;
  dash: string;
}

export interface LineChartSpec {
  title: string;
  /** What the chart shows, in words (its <desc>, which screen readers read after the title). Default none. */
  description?: string;
  /** A second, smaller line under the title. Default none. */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** Default none. */
  markers?: readonly ChartMarker[];
  /** Items appended to the legend after the series (e.g. what a dot means). Default none. */
  legendExtras?: readonly LegendItem[];
  /** Width in pixels (the height follows from the layout). Default 720. */
  width?: number;
}

export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const MARGIN = { left: 72, right: 24, top: 16 };
const PLOT_HEIGHT = 260;
const TITLE_LINE = 22;
const MARKER_ROW = 16;
/** Centre distance under which two highlight dots (r 4.5, 1.5 px white rim) would hide each other. */
const DOT_SPACING = 7;
const INK = '#222';
const GRID = '#e3e3e3';

/** Ratio of the largest to the smallest finite value above which the y axis is logarithmic. */
const LOG_SPAN = 100;
const Y_TICKS = 6;
/** Tick labels of at least this magnitude print with an SI prefix ("200M"), so they fit the margin. */
const SI_FROM = 1e4;

interface YAxis {
  scale: (v: number) => number;
  ticks: number[];
  label: (v: number) => string;
  log: boolean;
}

/**
 * The y axis (see the header): the extent of all finite values, widened when it is a single value,
 * then nice()d with the tick count the labels use, so the lowest and highest ticks sit on the ends.
 */
function yAxis(series: readonly ChartSeries[], range: [number, number]): YAxis {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (lo > 0 && hi / lo > LOG_SPAN) {
    const y = scaleLog().domain([lo, hi]).range(range).nice();
    // A log scale's tickFormat returns '' for the ticks it leaves unlabelled (2–9 × 10^k when there
    // are many decades); those ticks are dropped.
    const si = y.tickFormat(Y_TICKS, '~s');
    const plain = y.tickFormat(Y_TICKS, '~g');
    const label = (t: number): string => (t >= SI_FROM ? si(t) : plain(t));
    return { scale: y, ticks: y.ticks(Y_TICKS).filter((t) => label(t) !== ''), label, log: true };
  }
  if (lo > hi) [lo, hi] = [0, 1];
  else if (lo === hi) [lo, hi] = lo === 0 ? [-1, 1] : [lo - Math.abs(lo) / 10, hi + Math.abs(hi) / 10];
  const y = scaleLinear().domain([lo, hi]).range(range).nice(Y_TICKS);
  const ticks = y.ticks(Y_TICKS);
  const big = Math.max(...ticks.map(Math.abs)) >= SI_FROM;
  return { scale: y, ticks, label: y.tickFormat(Y_TICKS, big ? '~s' : undefined), log: false };
}

/** The indices of the finite values whose neighbours are missing or not finite, which a line cannot draw. */
function isolated(values: readonly number[]): number[] {
  const finite = (i: number): boolean => Number.isFinite(values[i] ?? NaN);
  return values.flatMap((_, i) => (finite(i) && !finite(i - 1) && !finite(i + 1) ? [i] : []));
}

/** A number as SVG coordinates print it (two decimals at most). */
const px = (v: number): string => String(Math.round(v * 100) / 100);

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 720;
  const markers = spec.markers ?? [];
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const legendItems: LegendItem[] = [
    ...spec.series.map((s): LegendItem => ({ label: s.label, colour: s.colour, symbol: 'line', dash: s.dash })),
    ...markers.map((m): LegendItem => ({ label: m.name, colour: m.colour, symbol: 'rule', dash: m.dash })),
    ...(spec.legendExtras ?? []),
  ];

  // Vertical layout (see the header).
  const titleBottom = MARGIN.top + TITLE_LINE * (spec.subtitle ? 2 : 1);
  const plotTop = titleBottom + 8 + MARKER_ROW * markers.length;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const xLabelY = plotBottom + 40;
  const legendY = xLabelY + 26;
  const height = legendY + LEGEND_ROW_HEIGHT * Math.max(0, legendRows(legendItems, plotWidth) - 1) + 18;

  const epochs = Math.max(1, ...spec.series.map((s) => s.values.length));
  // One epoch is one point: centred, half an epoch either side, not an axis running to an epoch 2 that never ran.
  const x = scaleLinear().domain(epochs === 1 ? [0.5, 1.5] : [1, epochs]).range([MARGIN.left, MARGIN.left + plotWidth]);
  const yAxisSpec = yAxis(spec.series, [plotBottom, plotTop]);
  const y = yAxisSpec.scale;
  // Epochs are whole: ask for at most one tick per epoch, and keep only integers.
  const xTicks = epochs === 1 ? [1] : x.ticks(Math.min(10, epochs - 1)).filter(Number.isInteger);
  const path = line<readonly [number, number]>()
    .defined(([, v]) => Number.isFinite(v))
    .x(([e]) => x(e))
    .y(([, v]) => y(v))
    .digits(2);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${px(height)}" width="${width}" height="${px(height)}" ` +
      `font-family="${FONT_FAMILY}" font-size="12" fill="${INK}" role="img">`,
    `<title>${escapeXml(spec.title)}</title>`,
    ...(spec.description ? [`<desc>${escapeXml(spec.description)}</desc>`] : []),
    `<rect width="100%" height="100%" fill="#fff"/>`,
    // Long names (a run label, a CSV header) are cut to the chart's width, whole in a tooltip.
    svgText(`x="${MARGIN.left}" y="${MARGIN.top + 15}" font-size="16" font-weight="600"`, spec.title, plotWidth, 16),
  );
  if (spec.subtitle) out.push(svgText(`x="${MARGIN.left}" y="${MARGIN.top + TITLE_LINE + 14}" fill="#555"`, spec.subtitle, plotWidth, 12));

  // Grid and y axis.
  out.push(`<g class="y-axis" text-anchor="end">`);
  for (const t of yAxisSpec.ticks) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="${GRID}"/>`,
      `<text x="${MARGIN.left - 8}" y="${px(y(t))}" dy="0.32em">${escapeXml(yAxisSpec.label(t))}</text>`,
    );
  }
  const yMid = (plotTop + plotBottom) / 2;
  // Rotated, the label runs along the plot's height: longer would run off the chart.
  const yLabel = yAxisSpec.log ? `${spec.yLabel}, log scale` : spec.yLabel;
  out.push(`${svgText(`x="18" y="${px(yMid)}" transform="rotate(-90 18 ${px(yMid)})" text-anchor="middle" font-weight="600"`, yLabel, PLOT_HEIGHT + MARKER_ROW * markers.length, 12)}</g>`);

  // x axis.
  out.push(`<g class="x-axis" text-anchor="middle">`, `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${plotBottom}" y2="${plotBottom}" stroke="${INK}"/>`);
  for (const t of xTicks) {
    out.push(
      `<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${plotBottom}" y2="${plotBottom + 5}" stroke="${INK}"/>`,
      `<text x="${px(x(t))}" y="${plotBottom + 18}">${t}</text>`,
    );
  }
  out.push(`<text x="${px(MARGIN.left + plotWidth / 2)}" y="${xLabelY}" font-weight="600">${escapeXml(spec.xLabel)}</text></g>`);

  // Markers: the rule across the plot, its label in its own row above the plot (end-anchored when
  // the epoch is in the right half, so the label stays inside the chart).
  // Markers at the same epoch (best = divergence) are spread 3 px apart, so no rule hides another.
  markers.forEach((m, i) => {
    const same = markers.filter((o) => o.epoch === m.epoch);
    const mx = px(x(m.epoch) + 3 * (same.indexOf(m) - (same.length - 1) / 2));
    const anchor = x(m.epoch) > MARGIN.left + plotWidth / 2 ? 'end' : 'start';
    const labelY = titleBottom + 8 + MARKER_ROW * i + 11;
    out.push(
      `<g class="marker-${escapeXml(m.kind)}" data-epoch="${m.epoch}">`,
      `<line x1="${mx}" x2="${mx}" y1="${labelY + 4}" y2="${plotBottom}" stroke="${m.colour}" stroke-width="1.5" stroke-dasharray="${m.dash}"/>`,
      `<text x="${mx}" y="${labelY}" dx="${anchor === 'end' ? -4 : 4}" text-anchor="${anchor}" fill="${m.labelColour ?? m.colour}" font-weight="600">${escapeXml(m.name)} ${m.epoch}</text></g>`,
    );
  });

  // Curves, then their highlighted points on top.
  for (const s of spec.series) {
    const d = path(s.values.map((v, i) => [i + 1, v] as const)) ?? '';
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<path class="series" data-series="${escapeXml(s.id)}" d="${d}" fill="none" stroke="${s.colour}" stroke-width="2" stroke-linejoin="round"${dash}/>`);
    // A path has no length at a value with no finite neighbour (a 1-epoch run, a lone epoch between gaps): a dot shows it.
    for (const i of isolated(s.values)) {
      out.push(`<circle class="point" data-series="${escapeXml(s.id)}" cx="${px(x(i + 1))}" cy="${px(y(s.values[i]!))}" r="3" fill="${s.colour}"/>`);
    }
  }
  // A dot that would land on one already drawn (two runs best at the same epoch with about the same
  // value) moves right until it covers none, so each stays visible.
  const dots: [number, number][] = [];
  for (const s of spec.series) {
    const v = s.highlight ? s.values[s.highlight - 1] : undefined;
    if (v !== undefined && Number.isFinite(v)) {
      const cy = y(v);
      let cx = x(s.highlight!);
      while (dots.some(([ox, oy]) => Math.hypot(ox - cx, oy - cy) < DOT_SPACING)) cx += DOT_SPACING;
      dots.push([cx, cy]);
      out.push(`<circle class="highlight" data-series="${escapeXml(s.id)}" cx="${px(cx)}" cy="${px(cy)}" r="4.5" fill="${s.colour}" stroke="#fff" stroke-width="1.5"/>`);
    }
  }

  out.push(renderLegend(legendItems, MARGIN.left, legendY, plotWidth), '</svg>');
  return out.join('\n');
}
