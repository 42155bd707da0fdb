/**
 * Metrics given as a user function of one batch ((yPred, y) → number, or { name, fn, mode }): the
 * function sees the batch as Tensors (copies, so it may keep or change them), and the epoch value is
 * the mean of its batch values weighted by batch size. A function cannot be rebuilt from a name, so
 * such a metric is not portable: a fit that uses one cannot move into a worker thread.
 */
import { OptionError } from '../../errors.js';
import { show } from '../../functional/validate.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkBatch, type Metric } from './metric.js';

/**
 * A user function of one batch (yPred and y as Tensors holding copies of the batch). Epoch value: the
 * batch values averaged with the batch sizes as weights, Σ_b n_b·f_b / Σ_b n_b (n_b = y's first
 * dimension) — exact for metrics that are means over samples, an approximation for others (a median,
 * an RMSE: use the named 'rmse'). NaN before any non-empty batch.
 */
export class FunctionMetric implements Metric {
  readonly portable = false;
  private total = 0;
  private count = 0;

  constructor(
    readonly name: string,
    private readonly fn: (yPred: Tensor, y: Tensor) => number,
    readonly mode: 'min' | 'max',
  ) {}

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(yPred: Float32Array, yPredShape: readonly number[], y: Float32Array, yShape: readonly number[]): void {
    checkBatch(this.name, yPred, yPredShape, y, yShape);
    const nb = yShape.length > 0 ? yShape[0]! : 1;
    if (nb === 0) return;
    const v: unknown = this.fn(new Tensor(new Float32Array(yPred), [...yPredShape]), new Tensor(new Float32Array(y), [...yShape]));
    if (typeof v !== 'number') {
      const hint = v instanceof Tensor ? ' (call .item() on the Tensor)' : '';
      throw new OptionError(`metric '${this.name}': the metric function must return a number, got ${show(v)}${hint}`);
    }
    this.total += nb * v;
    this.count += nb;
  }

  result(): number {
    return this.count === 0 ? NaN : this.total / this.count;
  }
}
