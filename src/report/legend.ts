/**
 * The legend under a chart: one item per series and per marker kind, each a small drawing of what it
 * names (a line with the series' dash pattern, a dot, or a short vertical rule) and its label, laid
 * out left to right and wrapped onto a new row when the next item would pass the chart's width.
 * SVG cannot measure text in Node, so widths are estimated from the character count — generous
 * enough for the system sans-serif fonts at LEGEND_FONT_SIZE.
 */
import { CHAR_EM, svgText } from './text-fit.js';

export interface LegendItem {
  label: string;
  colour: string;
  /** What the swatch draws: a line (as a series), a dot (a marked point) or a vertical rule (a marker). */
  symbol: 'line' | 'dot' | 'rule';
  /** stroke-dasharray of the line or rule; none = solid. */
  dash?: string;
}

const LEGEND_FONT_SIZE = 12;
export const LEGEND_ROW_HEIGHT = 20;
/** Estimated advance of one character at LEGEND_FONT_SIZE (system sans-serif averages ≈ 0.55 em). */
const CHAR_WIDTH = CHAR_EM * LEGEND_FONT_SIZE;
const SWATCH_WIDTH = 28;
const SWATCH_GAP = 6;
const ITEM_GAP = 22;

/** Where each item goes: rows of [x offset, item], for a legend at most `width` wide. */
function layout(items: readonly LegendItem[], width: number): [number, LegendItem][][] {
  const rows: [number, LegendItem][][] = [[]];
  let x = 0;
  for (const item of items) {
    // A label longer than the legend's width is cut to it (renderLegend), so no item is wider than a row.
    const w = SWATCH_WIDTH + SWATCH_GAP + Math.min(item.label.length * CHAR_WIDTH, labelRoom(width));
    if (x > 0 && x + w > width) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1]!.push([x, item]);
    x += w + ITEM_GAP;
  }
  return rows;
}

/** The room for one label on a row `width` wide. */
const labelRoom = (width: number): number => width - SWATCH_WIDTH - SWATCH_GAP;

/** The number of rows the legend takes at this width (for the chart's height). */
export function legendRows(items: readonly LegendItem[], width: number): number {
  return items.length === 0 ? 0 : layout(items, width).length;
}

function swatch(item: LegendItem): string {
  const dash = item.dash ? ` stroke-dasharray="${item.dash}"` : '';
  const mid = SWATCH_WIDTH / 2;
  if (item.symbol === 'dot') return `<circle cx="${mid}" cy="0" r="4" fill="${item.colour}" stroke="#fff" stroke-width="1.5"/>`;
  if (item.symbol === 'rule') return `<line x1="${mid}" x2="${mid}" y1="-7" y2="7" stroke="${item.colour}" stroke-width="2"${dash}/>`;
  return `<line x1="0" x2="${SWATCH_WIDTH}" y1="0" y2="0" stroke="${item.colour}" stroke-width="2.5"${dash}/>`;
}

/** The legend as an SVG group whose first row's centre line is at (x, y). */
export function renderLegend(items: readonly LegendItem[], x: number, y: number, width: number): string {
  const parts = layout(items, width).flatMap((row, r) =>
    row.map(
      ([dx, item]) =>
        `<g transform="translate(${dx},${r * LEGEND_ROW_HEIGHT})">${swatch(item)}` +
        `${svgText(`x="${SWATCH_WIDTH + SWATCH_GAP}" y="0" dy="0.32em"`, item.label, labelRoom(width), LEGEND_FONT_SIZE)}</g>`,
    ),
  );
  return `<g class="legend" transform="translate(${x},${y})" font-size="${LEGEND_FONT_SIZE}">${parts.join('')}</g>`;
}
