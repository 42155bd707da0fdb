/**
 * The classification metrics: 'accuracy' (class scores (N, C) or one binary logit per sample) and
 * 'top<k>Accuracy' (class scores (N, C)), with the rules they share — how classes rank within a row of
 * scores (larger first, NaN above every number, lower index on ties, as torch.argmax) and how targets
 * given as class indices or one-hot rows become one class per sample.
 */
import { DataError, ShapeError } from '../../errors.js';
import { formatShape, sameShape } from '../../tensor/shape.js';
import { checkBatch, checkSameShape, type Metric } from './metric.js';

/**
 * Whether class a ranks above class b in a row of scores: a larger score, NaN above every number (as
 * torch.argmax), and on ties (equal scores, or both NaN) the lower index. argmax is the class no other
 * class ranks above: the first maximum.
 */
function ranksAbove(va: number, a: number, vb: number, b: number): boolean {
  const na = va !== va, nb = vb !== vb;
  if (na || nb) return na && (!nb || a < b);
  return va > vb || (va === vb && a < b);
}

function argmaxRow(d: Float32Array, offset: number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (ranksAbove(d[offset + c]!, c, d[offset + best]!, best)) best = c;
  return best;
}

/**
 * The target class of each sample for scores yPred (N, C): class indices y (N) (integers in [0, C)),
 * or one-hot / probability rows y (N, C) (their argmax, first on ties).
 */
function targetClasses(where: string, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): (i: number) => number {
  const [N, C] = yPredShape as [number, number];
  if (yShape.length === 1 && yShape[0] === N) {
    for (let i = 0; i < N; i++) {
      const v = y[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= C) {
        throw new DataError(`${where}: y[${i}] = ${v} is not a class index in [0, ${C - 1}] (yPred ${formatShape(yPredShape)})`);
      }
    }
    return (i) => y[i]!;
  }
  if (sameShape(yShape, yPredShape)) return (i) => argmaxRow(y, i * C, C);
  const fix = yShape.length === 2 && yShape[0] === N && yShape[1] === 1 ? `; reshape y to (${N})` : '';
  throw new ShapeError(
    `${where}: expected y (${N}) of class indices or ${formatShape(yPredShape)} of one-hot rows for yPred ${formatShape(yPredShape)}, got ${formatShape(yShape)}${fix}`,
  );
}

/**
 * The class of binary target y[i]: 0 or 1, or a soft target in [0, 1] — a label MixUp or CutMix mixed
 * during training — read as the class it is nearer (≥ ½ → 1), as a mixed row of several classes is read
 * by its argmax. Anything else (outside [0, 1], NaN) is not a binary target: refused, not rounded.
 */
function binaryClass(y: Float32Array, i: number, yPredShape: readonly number[]): number {
  const t = y[i]!;
  if (!(t >= 0 && t <= 1)) {
    throw new DataError(`accuracy: binary targets must be 0 or 1 (or a mixed label in [0, 1]), got y[${i}] = ${t} (yPred ${formatShape(yPredShape)} holds one logit per sample)`);
  }
  return t >= 0.5 ? 1 : 0;
}

/**
 * Fraction of samples classified right, over the epoch (correct / total; NaN before any sample).
 * - Scores (N, C) with C > 1 (logits or probabilities): predicted class = argmax over the row, the
 *   first one on ties (as torch.argmax; NaN counts as the largest); targets are class indices (N) or
 *   one-hot / probability rows (N, C) (their argmax, the same rule).
 * - One logit per sample, (N) or (N, 1), with targets of the same shape in {0, 1}: predicted class =
 *   1 if the logit > 0 else 0 (fit's 'bce' loss works on logits: a logit > 0 is a probability > ½);
 *   a NaN logit predicts 0. A target in [0, 1] other than 0 and 1 (a label mixed by MixUp or CutMix)
 *   counts as the class it is nearer, 1 from ½ on, as a mixed row counts as its argmax.
 */
export class AccuracyMetric implements Metric {
  readonly name = 'accuracy';
  readonly mode = 'max' as const;
  readonly portable = true;
  private correct = 0;
  private total = 0;

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch('accuracy', yPred, yPredShape, y, yShape);
    const binary = yPredShape.length === 1 || (yPredShape.length === 2 && yPredShape[1] === 1);
    if (binary) {
      checkSameShape('accuracy', yPredShape, yShape);
      let ok = 0;
      for (let i = 0; i < y.length; i++) {
        if ((yPred[i]! > 0 ? 1 : 0) === binaryClass(y, i, yPredShape)) ok++;
      }
      this.correct += ok;
      this.total += y.length;
      return;
    }
    if (yPredShape.length !== 2) {
      throw new ShapeError(`accuracy: expected yPred (N, C) of class scores or (N) / (N, 1) of binary logits, got ${formatShape(yPredShape)}`);
    }
    const [N, C] = yPredShape as [number, number];
    const target = targetClasses('accuracy', yPredShape, y, yShape);
    let ok = 0;
    for (let i = 0; i < N; i++) if (argmaxRow(yPred, i * C, C) === target(i)) ok++;
    this.correct += ok;
    this.total += N;
  }

  result(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }
}

/**
 * Fraction of samples whose target class is among the k best-ranked classes of yPred (N, C), k ≤ C,
 * C ≥ 2; targets as for accuracy (class indices (N) or one-hot rows (N, C)). Ranking: larger score
 * first, NaN above every number, and on equal scores the lower class index first, so the target t is
 * in the top k iff fewer than k classes rank above it, and top1Accuracy equals accuracy. (TF's
 * in_top_k instead counts every class tied at the k-th score as inside; with constant outputs it
 * reports 100%.)
 */
export class TopKAccuracyMetric implements Metric {
  readonly mode = 'max' as const;
  readonly portable = true;
  readonly name: string;
  private correct = 0;
  private total = 0;

  constructor(readonly k: number) {
    this.name = `top${k}Accuracy`;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    const where = this.name;
    checkBatch(where, yPred, yPredShape, y, yShape);
    if (yPredShape.length !== 2 || yPredShape[1]! < 2) throw new ShapeError(`${where}: expected yPred (N, C) of class scores with C >= 2, got ${formatShape(yPredShape)}`);
    const [N, C] = yPredShape as [number, number];
    if (this.k > C) throw new ShapeError(`${where}: k = ${this.k} is larger than the number of classes, ${C} (yPred ${formatShape(yPredShape)})`);
    const target = targetClasses(where, yPredShape, y, yShape);
    let ok = 0;
    for (let i = 0; i < N; i++) {
      const t = target(i), o = i * C, vt = yPred[o + t]!;
      let above = 0;
      for (let c = 0; c < C && above < this.k; c++) if (c !== t && ranksAbove(yPred[o + c]!, c, vt, t)) above++;
      if (above < this.k) ok++;
    }
    this.correct += ok;
    this.total += N;
  }

  result(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }
}
