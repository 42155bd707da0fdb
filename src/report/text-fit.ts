/**
 * Text that must fit a width in an SVG chart (a title, the rotated y-axis label, a legend label):
 * SVG does not wrap, and a text longer than its room is clipped by the chart's edge. Node cannot
 * measure text, so the width is estimated from the character count (system sans-serif averages
 * about 0.55 em a character; 0.6 is generous), the text is cut with an ellipsis to fit, and the
 * whole text goes into a <title> child, the tooltip a reader hovers for.
 */
import { escapeXml } from './escape.js';

/** Estimated advance of one character, in em. */
export const CHAR_EM = 0.6;

/** `text` cut with "…" to at most `width` px at `fontSize` px; unchanged when it fits. */
export function fitText(text: string, width: number, fontSize: number): string {
  const chars = [...text];
  const room = Math.max(1, Math.floor(width / (CHAR_EM * fontSize)));
  return chars.length <= room ? text : `${chars.slice(0, room - 1).join('').trimEnd()}…`;
}

/** A <text> element with `attrs`, its text cut to `width` px (fitText), the whole text in a <title> when cut. */
export function svgText(attrs: string, text: string, width: number, fontSize: number): string {
  const shown = fitText(text, width, fontSize);
  const tooltip = shown === text ? '' : `<title>${escapeXml(text)}</title>`;
  return `<text ${attrs}>${tooltip}${escapeXml(shown)}</text>`;
}
