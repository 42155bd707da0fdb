/**
 * The study's two chart kinds, as lineChart specs: one run's train and validation curves with its
 * best and divergence epochs marked (curves-<name>.svg), and every run's validation curve on one
 * set of axes with each best epoch as a dot (validation-overlay.svg). Train is dashed and validation
 * solid in a run's chart, and each run has its own dash pattern in the overlay, so no two curves
 * differ by colour alone.
 */
import { lineChart, type ChartMarker } from './chart.js';
import { OKABE_ITO, OKABE_ITO_DARK, runColour, runDash } from './palette.js';
import type { CurveSet } from './study.js';

const TRAIN_DASH = '7 4';
const BEST = { colour: OKABE_ITO.bluishGreen, labelColour: OKABE_ITO_DARK.bluishGreen, dash: '2 3' };
const DIVERGENCE = { colour: OKABE_ITO.black, dash: '8 3 2 3' };
const NON_FINITE = { colour: OKABE_ITO.vermillion, labelColour: OKABE_ITO_DARK.vermillion, dash: '1 3' };
const X_LABEL = 'Epoch';
/** Two run charts sit side by side on a wide page: this width shows them at about 1:1. */
const RUN_CHART_WIDTH = 600;

/** The first epoch (1-based) whose training or validation value is NaN or ±Infinity; null = none. */
function firstNonFinite(run: CurveSet): number | null {
  const bad = [run.train, run.validation].map((values) => values.findIndex((v) => !Number.isFinite(v))).filter((i) => i >= 0);
  return bad.length ? Math.min(...bad) + 1 : null;
}

/** "Best epoch 12, validation 14.5." for a chart's <desc>; "No best epoch." when there is none. */
function bestText(run: CurveSet): string {
  if (run.bestEpoch === null) return 'No best epoch.';
  return `Best epoch ${run.bestEpoch}, validation ${Number(run.validation[run.bestEpoch - 1]!.toPrecision(4))}.`;
}

/** curves-<name>.svg: one run. */
export function runChart(run: CurveSet, yLabel: string): string {
  const markers: ChartMarker[] = [];
  if (run.bestEpoch !== null) markers.push({ kind: 'best', epoch: run.bestEpoch, name: 'best epoch', ...BEST });
  if (run.divergenceEpoch !== null) {
    markers.push({ kind: 'divergence', epoch: run.divergenceEpoch, name: 'divergence epoch', ...DIVERGENCE });
  }
  // A NaN or ±Infinity cannot be drawn: without a marker, a run that blew up would show only a gap.
  const blewUp = firstNonFinite(run);
  if (blewUp !== null) markers.push({ kind: 'non-finite', epoch: blewUp, name: 'loss not finite from epoch', ...NON_FINITE });
  return lineChart({
    title: run.label,
    description: `Training and validation ${yLabel} per epoch over ${run.validation.length} epochs. ${bestText(run)}` +
      (run.divergenceEpoch === null ? ' No divergence epoch.' : ` Divergence epoch ${run.divergenceEpoch}.`) +
      (blewUp === null ? '' : ` The loss is not finite from epoch ${blewUp}.`),
    subtitle: run.stoppedEpoch ? `${run.stoppedBy ?? 'Early stopping'} ended training at epoch ${run.stoppedEpoch}` : undefined,
    xLabel: X_LABEL,
    yLabel,
    series: [
      { id: 'train', label: 'Train', values: run.train, colour: OKABE_ITO.blue, dash: TRAIN_DASH },
      { id: 'validation', label: 'Validation', values: run.validation, colour: OKABE_ITO.vermillion, highlight: run.bestEpoch },
    ],
    markers,
    width: RUN_CHART_WIDTH,
  });
}

/** validation-overlay.svg: every run's validation curve. */
export function overlayChart(runs: readonly CurveSet[], yLabel: string): string {
  return lineChart({
    title: 'Validation curves of every run',
    description: `Validation ${yLabel} per epoch of ${runs.length} runs. ${runs.map((r) => `${r.label}: ${bestText(r)}`).join(' ')}`,
    subtitle: 'Dots mark each run’s best epoch',
    xLabel: X_LABEL,
    yLabel: `Validation ${yLabel}`,
    series: runs.map((r, i) => ({ id: r.name, label: r.label, values: r.validation, colour: runColour(i), dash: runDash(i), highlight: r.bestEpoch })),
    legendExtras: [{ label: 'best epoch', colour: '#777', symbol: 'dot' }],
    width: 900,
  });
}
