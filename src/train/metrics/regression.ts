/**
 * The regression metrics: 'mse', 'rmse' and 'mae' (one ErrorMetric, by name) and 'r2'. Each
 * accumulates the epoch's sums in double and computes the metric of the whole epoch from them, never
 * a mean of per-batch values: rmse is the square root of the epoch's mse, and r2 merges per-batch
 * sums around a running mean so it stays accurate for targets far from zero.
 */
import { ShapeError } from '../../errors.js';
import { formatShape } from '../../tensor/shape.js';
import { checkBatch, checkSameShape, type Metric } from './metric.js';

// ---------------------------------------------------------------------------------------------------
// mse, rmse, mae
// ---------------------------------------------------------------------------------------------------

/**
 * Over every element e of every batch, with d = yPred − y (in double):
 *   mse = Σ d² / n,   rmse = √(Σ d² / n),   mae = Σ |d| / n   (n = number of elements; NaN at n = 0)
 */
export class ErrorMetric implements Metric {
  readonly mode = 'min' as const;
  readonly portable = true;
  private total = 0;
  private count = 0;

  constructor(readonly name: 'mse' | 'rmse' | 'mae') {}

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch(this.name, yPred, yPredShape, y, yShape);
    checkSameShape(this.name, yPredShape, yShape);
    let s = 0;
    if (this.name === 'mae') for (let i = 0; i < y.length; i++) s += Math.abs(yPred[i]! - y[i]!);
    else
      for (let i = 0; i < y.length; i++) {
        const d = yPred[i]! - y[i]!;
        s += d * d;
      }
    this.total += s;
    this.count += y.length;
  }

  result(): number {
    if (this.count === 0) return NaN;
    const m = this.total / this.count;
    return this.name === 'rmse' ? Math.sqrt(m) : m;
  }
}

// ---------------------------------------------------------------------------------------------------
// r2
// ---------------------------------------------------------------------------------------------------

/**
 * Coefficient of determination per output column j (targets (N) are one column, (N, K) are K), then
 * the plain mean over columns (sklearn's multioutput='uniform_average'):
 *
 *   R²_j = 1 − SS_res,j / SS_tot,j,   SS_res,j = Σ (y − ŷ)²,   SS_tot,j = Σ (y − ȳ_j)²
 *
 * SS_tot is never formed as Σy² − (Σy)²/n (which loses every digit for targets like 1e4 ± 0.1). Each
 * batch is reduced around the running mean m_a (y − m_a is exact in double for float32 targets near
 * m_a): δ = Σ (y − m_a) / n_b, M2_b = Σ ((y − m_a) − δ)², and merged by Chan et al.'s rule
 *
 *   n = n_a + n_b,   m = m_a + δ·n_b / n,   M2 = M2_a + M2_b + δ²·n_a·n_b / n     (SS_tot = M2)
 *
 * (the first batch of a column is reduced around its first value). A column with SS_tot = 0 follows
 * sklearn's force_finite=True: R² = 1 if SS_res = 0 (perfect prediction of a constant), else 0.
 * Fewer than two samples give NaN, as sklearn (R² is not defined there).
 */
export class R2Metric implements Metric {
  readonly name = 'r2';
  readonly mode = 'max' as const;
  readonly portable = true;
  private n = 0;
  private columns = 0;
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private ssRes = new Float64Array(0);

  reset(): void {
    this.n = 0;
    this.columns = 0;
    this.mean = new Float64Array(0);
    this.m2 = new Float64Array(0);
    this.ssRes = new Float64Array(0);
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch('r2', yPred, yPredShape, y, yShape);
    checkSameShape('r2', yPredShape, yShape);
    if (yShape.length !== 1 && yShape.length !== 2) throw new ShapeError(`r2: expected targets (N) or (N, K), got ${formatShape(yShape)}`);
    const nb = yShape[0]!, K = yShape.length === 2 ? yShape[1]! : 1;
    if (this.n > 0 && K !== this.columns) throw new ShapeError(`r2: earlier batches had ${this.columns} output columns, this one has ${K} (y ${formatShape(yShape)})`);
    if (nb === 0) return;
    if (this.n === 0) {
      this.columns = K;
      this.mean = new Float64Array(K);
      this.m2 = new Float64Array(K);
      this.ssRes = new Float64Array(K);
    }
    const na = this.n, n = na + nb;
    for (let j = 0; j < K; j++) {
      const shift = na === 0 ? y[j]! : this.mean[j]!;
      let s = 0, res = 0;
      for (let i = 0; i < nb; i++) {
        const v = y[i * K + j]!;
        s += v - shift;
        const e = v - yPred[i * K + j]!;
        res += e * e;
      }
      const delta = s / nb;
      let m2b = 0;
      for (let i = 0; i < nb; i++) {
        const c = y[i * K + j]! - shift - delta;
        m2b += c * c;
      }
      // A first batch is a merge with an empty set at its shift: the δ² term vanishes (n_a = 0).
      this.m2[j] = this.m2[j]! + m2b + (delta * delta * na * nb) / n;
      this.mean[j] = shift + (na === 0 ? delta : (delta * nb) / n);
      this.ssRes[j] = this.ssRes[j]! + res;
    }
    this.n = n;
  }

  result(): number {
    if (this.n < 2) return NaN;
    let total = 0;
    for (let j = 0; j < this.columns; j++) {
      const tot = this.m2[j]!, res = this.ssRes[j]!;
      total += tot !== 0 ? 1 - res / tot : res === 0 ? 1 : 0;
    }
    return total / this.columns;
  }
}
