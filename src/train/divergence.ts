/**
 * divergenceIndex: the epoch where validation loss starts rising while training loss keeps falling —
 * the onset of overfitting, the "divergence point" the regularisation literature draws between the
 * two curves. History.divergenceEpoch reports it. It is a rule of thumb made precise, so that the
 * same curves always give the same answer and neither a noisy plateau nor a passing bump is called
 * overfitting. The rule (every constant is an option; defaults in brackets):
 *
 *   1. Smooth both curves with a centred moving average of width w = `smoothing` [3] (odd): point i
 *      is the mean of the raw values i − h … i + h, h = (w − 1)/2, the window cut off at the ends of
 *      the curve (the first and last h points average fewer values). sv, st: the smoothed
 *      validation and training curves; n: the number of epochs.
 *   2. The candidate onset e is the FIRST index of the global minimum of sv.
 *   3. What counts as rising: tol = max(minRise·|sv[e]|, noiseMultiple·σ) [0.01, 2], where
 *      σ = 1.4826·median_i |v_i − sv_i| / √(1 − 1/w) is a robust estimate of the standard deviation
 *      of the validation curve's noise (σ = 0 when w = 1: nothing to measure it by).
 *   4. The evidence is the tail k … n − 1 of the curve over which sv stays above sv[e] + tol (k > e
 *      the smallest such index). Divergence at e iff
 *      - the tail holds at least `patience` [3] epochs: n − k ≥ patience (so there are at least
 *        `patience` epochs after e, and a bump that comes back down leaves no tail);
 *      - the rise is sustained: it has lasted at least as long as it took to appear, k − e ≤ n − k;
 *      - training loss kept falling: st[j] < st[e] for every j in the tail (when training loss rises
 *        too, the cause is underfitting or a bad learning rate, not overfitting).
 *   Otherwise there is no divergence: null.
 *
 * Smoothing trades noise for position: on a V whose sides have different slopes, the smoothed
 * minimum moves up to h epochs towards the gentler side (a fall of 0.01 an epoch then a rise of
 * 0.03 is reported one epoch early at w = 3), so the onset is located to within ±h epochs.
 *
 * Why each part is there (measured on constructed curves, 1,000 seeds of Gaussian noise each; the
 * tests keep a sample): the tail starts where the rise clears tol, not at e + patience, because a
 * U-shape with a bottom flat relative to the noise clears it late (fixing the evidence at
 * e + patience missed 17% of clean U-shapes); k − e ≤ n − k keeps a short excursion at the end of a
 * long plateau from counting; the √(1 − 1/w) factor makes σ the noise's own deviation (v − sv has
 * deviation s·√(1 − 1/w) for white noise of deviation s), which with the tail rule brings false onsets
 * on a noisy plateau to under 1% of seeds; and training loss is checked over the whole tail, so a
 * learning-rate blow-up (training loss dipping, then climbing back) is not called overfitting.
 */
import { DataError, OptionError, ShapeError } from '../errors.js';
import { checkOptions, numberIn, positiveInt, show } from '../nn/validate.js';

/** How divergenceIndex decides what counts as a rise (see the rule in this file's header). */
export interface DivergenceOptions {
  /** Width of the centred moving average applied to both curves (odd, >= 1; 1 = no smoothing). Default 3. */
  smoothing?: number;
  /** Epochs of evidence needed after the onset. Default 3. */
  patience?: number;
  /** Smallest rise that counts, relative to the smoothed validation minimum. Default 0.01 (1%). */
  minRise?: number;
  /** The rise must also exceed this many noise standard deviations (noise σ = 1.4826 × median |raw − smoothed|
   *  of the validation curve / √(1 − 1/smoothing); 0 when smoothing is 1). Default 2. */
  noiseMultiple?: number;
}

/** The defaults of DivergenceOptions. */
export const DIVERGENCE_DEFAULTS: Readonly<Required<DivergenceOptions>> = Object.freeze({
  smoothing: 3,
  patience: 3,
  minRise: 0.01,
  noiseMultiple: 2,
});

const KNOWN = ['smoothing', 'patience', 'minRise', 'noiseMultiple'] as const;

/** Checks divergence options (unknown keys, types, ranges) and fills in the defaults. */
export function resolveDivergenceOptions(where: string, options: DivergenceOptions | undefined): Required<DivergenceOptions> {
  const o = checkOptions(where, options, KNOWN);
  const smoothing = positiveInt(where, 'smoothing', o.smoothing ?? DIVERGENCE_DEFAULTS.smoothing);
  if (smoothing % 2 !== 1) throw new OptionError(`${where}: smoothing must be an odd positive integer (a centred window), got ${show(smoothing)}`);
  return {
    smoothing,
    patience: positiveInt(where, 'patience', o.patience ?? DIVERGENCE_DEFAULTS.patience),
    minRise: numberIn(where, 'minRise', o.minRise ?? DIVERGENCE_DEFAULTS.minRise, 0),
    noiseMultiple: numberIn(where, 'noiseMultiple', o.noiseMultiple ?? DIVERGENCE_DEFAULTS.noiseMultiple, 0),
  };
}

/** A curve: a non-empty array of finite numbers (the error names the argument and the index). */
function checkCurve(where: string, name: string, v: unknown): readonly number[] {
  if (!Array.isArray(v)) throw new OptionError(`${where}: ${name} must be an array of numbers, got ${show(v)}`);
  if (v.length === 0) throw new ShapeError(`${where}: ${name} must not be empty`);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new DataError(`${where}: ${name}[${i}] must be a finite number, got ${show(x)}`);
  }
  return v as readonly number[];
}

/**
 * Centred moving average of odd width w = 2h + 1, the window cut off at the ends:
 * out[i] = mean(x[max(0, i − h)] … x[min(n − 1, i + h)]).
 */
export function movingAverage(x: readonly number[], width: number): number[] {
  const h = (width - 1) / 2;
  const n = x.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - h);
    const hi = Math.min(n - 1, i + h);
    let s = 0;
    for (let j = lo; j <= hi; j++) s += x[j]!;
    out[i] = s / (hi - lo + 1);
  }
  return out;
}

/** The median (the mean of the two middle values for an even count). */
function median(x: readonly number[]): number {
  const s = [...x].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Index (0-based, into the arrays) of the epoch where validation loss starts rising while training loss
 *  keeps falling, or null where that never happens. */
export function divergenceIndex(trainLoss: readonly number[], valLoss: readonly number[], options?: DivergenceOptions): number | null {
  const where = 'divergenceIndex';
  const t = checkCurve(where, 'trainLoss', trainLoss);
  const v = checkCurve(where, 'valLoss', valLoss);
  if (t.length !== v.length) throw new ShapeError(`${where}: trainLoss and valLoss must have the same length (one value per epoch), got ${t.length} and ${v.length}`);
  const { smoothing, patience, minRise, noiseMultiple } = resolveDivergenceOptions(where, options);
  const n = v.length;

  // 1. Smooth both curves.
  const sv = movingAverage(v, smoothing);
  const st = movingAverage(t, smoothing);

  // 2. The candidate onset: the first index of sv's global minimum.
  let e = 0;
  for (let i = 1; i < n; i++) if (sv[i]! < sv[e]!) e = i;
  if (n - 1 - e < patience) return null;

  // 3. tol = max(minRise·|sv[e]|, noiseMultiple·σ), σ = 1.4826·median|v − sv| / √(1 − 1/w).
  const sigma = smoothing === 1 ? 0 : (1.4826 * median(v.map((x, i) => Math.abs(x - sv[i]!)))) / Math.sqrt(1 - 1 / smoothing);
  const tol = Math.max(minRise * Math.abs(sv[e]!), noiseMultiple * sigma);

  // 4. The evidence: the tail k … n − 1 over which sv stays above sv[e] + tol; it must hold at least
  //    `patience` epochs, and training loss must stay below st[e] all along it.
  let k = n;
  while (k - 1 > e && sv[k - 1]! > sv[e]! + tol) k--;
  if (n - k < patience || k - e > n - k) return null;
  for (let j = k; j < n; j++) if (!(st[j]! < st[e]!)) return null;
  return e;
}
