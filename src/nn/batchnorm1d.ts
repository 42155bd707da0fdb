/**
 * BatchNorm1d: torch.nn.BatchNorm1d over (N, C) or (N, C, L), statistics per channel over N (and L).
 *
 * - training, trackRunningStats: num_batches_tracked += 1, normalise with the biased batch variance,
 *   running = (1 − f)·running + f·batch (unbiased variance), f = momentum, or 1/num_batches_tracked
 *   when momentum is null (a cumulative average).
 * - eval, trackRunningStats: normalise with the running statistics; nothing changes.
 * - trackRunningStats false: batch statistics in both modes; there are no running buffers.
 * Training with one value per channel (N·L = 1) is an error, as in PyTorch.
 * - a training batch that would make a running value NaN or infinite leaves running_mean,
 *   running_var and num_batches_tracked as they were (its output keeps the NaN/Inf), unless
 *   trackNonFinite (PyTorch's behaviour: the running statistics take the NaN).
 * - virtualBatchSize v (ghost batch normalisation: Hoffer, Hubara & Soudry 2017; Keras's
 *   virtual_batch_size): in training, a batch of more than v samples is normalised in consecutive
 *   groups of v samples, each with its own statistics, and each group updates the running
 *   statistics and num_batches_tracked as a batch of its own. That is what the usual PyTorch
 *   GhostBatchNorm writes, torch.cat([bn(g) for g in x.split(v)]); the last group holds the
 *   remainder, and a remainder of one value per channel joins the group before it (one value has no
 *   variance). Eval is unchanged, so a saved model loads into a plain torch.nn.BatchNorm1d.
 *
 * State (PyTorch's order and names): weight, bias (affine), running_mean, running_var,
 * num_batches_tracked (int64 scalar) (trackRunningStats).
 */
import { batchNorm1d } from '../functional/batchnorm1d.js';
import { narrow } from '../functional/indexing.js';
import { cat } from '../functional/join.js';
import { Int64Buffer, type StateTensor } from '../io/state.js';
import { batchNorm1dAverageFactor } from '../ref/batchnorm1d.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { filledParameter } from './init.js';
import { Module } from './module.js';
import type { ModuleJSON } from './module.js';
import { warnTrainingModeUnderNoGrad } from './mode-warning.js';
import { boolean, checkInput, checkOptions, numberIn, or, positiveInt, show } from './validate.js';
import { OptionError, ShapeError } from '../errors.js';

/** Options of nn.BatchNorm1d (torch.nn.BatchNorm1d's keyword arguments). */
export interface BatchNorm1dOptions {
  /** Added to the variance for numerical stability. Default 1e-5. */
  eps?: number;
  /** Weight of the batch statistic in the running averages, in [0, 1]; null: cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight, init 1) and shift (bias, init 0). Default true. */
  affine?: boolean;
  /** Keep running mean/variance for eval (otherwise batch statistics are used in eval too). Default true. */
  trackRunningStats?: boolean;
  /**
   * Let a training batch with NaN/Inf make the running statistics NaN/Inf, as PyTorch does. Default
   * false: such a batch leaves running_mean, running_var and num_batches_tracked as they were, so one
   * bad batch does not break every later eval (its output still carries the NaN/Inf).
   */
  trackNonFinite?: boolean;
  /**
   * Training only: normalise each group of this many consecutive samples with the group's own
   * statistics (ghost batch normalisation; Keras's virtual_batch_size), a regulariser for large
   * batches. Null: the whole batch, as PyTorch. Default null.
   */
  virtualBatchSize?: number | null;
}

/** torch.nn.BatchNorm1d over (N, C) or (N, C, L): per-channel statistics over N (and L); batch statistics and running-average updates in training, running statistics in eval (details in the file header). */
export class BatchNorm1d extends Module {
  /** Channels C of the (N, C) or (N, C, L) input. */
  readonly numFeatures: number;
  /** Added to the variance before the square root (options.eps, default 1e-5). */
  readonly eps: number;
  /** Weight of each batch in the running statistics; null for a cumulative average (default 0.1). */
  readonly momentum: number | null;
  /** Whether weight and bias are learnt (default true). */
  readonly affine: boolean;
  /** Whether running statistics are kept for eval (default true). */
  readonly trackRunningStats: boolean;
  /** Whether a batch with NaN/Inf may update the running statistics (default false). */
  readonly trackNonFinite: boolean;
  /** Samples per group normalised together in training, or null for the whole batch (default null). */
  readonly virtualBatchSize: number | null;
  /** (numFeatures) scale, or null without affine. */
  readonly weight: Tensor | null;
  /** (numFeatures) shift, or null without affine. */
  readonly bias: Tensor | null;
  /** (numFeatures), or null without trackRunningStats. */
  readonly runningMean: Tensor | null;
  /** (numFeatures), or null without trackRunningStats. */
  readonly runningVar: Tensor | null;
  /** Training steps seen (int64 scalar), or null without trackRunningStats. */
  readonly numBatchesTracked: Int64Buffer | null;
  /**
   * Sees every input that beginForward accepts (plain forward and Sequential's fused block alike):
   * recalibrateBatchNorm (src/train/recalibrate-batchnorm.ts) accumulates population statistics here.
   * It must read the input synchronously and keep no reference (the fused path overwrites it in place).
   * Null (one property test per forward) unless set. @internal
   */
  inputObserver: ((input: Tensor) => void) | null = null;

  constructor(numFeatures: number, options?: BatchNorm1dOptions) {
    super();
    const L = 'BatchNorm1d';
    const o = checkOptions(L, options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'trackNonFinite', 'virtualBatchSize']);
    this.numFeatures = positiveInt(L, 'numFeatures', numFeatures);
    this.eps = numberIn(L, 'eps', or(o.eps, 1e-5), 0);
    const momentum = o.momentum === undefined ? 0.1 : o.momentum;
    if (momentum !== null && (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1))) {
      throw new OptionError(`${L}: momentum must be a number in [0, 1] or null (cumulative average), got ${show(momentum)}`);
    }
    this.momentum = momentum;
    this.affine = boolean(L, 'affine', or(o.affine, true));
    this.trackRunningStats = boolean(L, 'trackRunningStats', or(o.trackRunningStats, true));
    this.trackNonFinite = boolean(L, 'trackNonFinite', or(o.trackNonFinite, false));
    this.virtualBatchSize = o.virtualBatchSize === undefined || o.virtualBatchSize === null ? null : positiveInt(L, 'virtualBatchSize', o.virtualBatchSize);
    const C = this.numFeatures;
    const vec = () => filledParameter(L, 'numFeatures', [C]);
    this.weight = this.registerParameter('weight', this.affine ? vec() : null);
    this.bias = this.registerParameter('bias', this.affine ? vec() : null);
    this.runningMean = this.registerBuffer('running_mean', this.trackRunningStats ? vec() : null);
    this.runningVar = this.registerBuffer('running_var', this.trackRunningStats ? vec() : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', this.trackRunningStats ? new Int64Buffer([]) : null);
    this.resetParameters();
  }

  /** running_mean 0, running_var 1, num_batches_tracked 0. */
  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0n);
  }

  /** The running statistics reset, weight 1, bias 0 (PyTorch's reset_parameters). */
  resetParameters(): void {
    this.resetRunningStats();
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  override describe(): string {
    return `BatchNorm1d(${this.numFeatures})`;
  }

  forward(input: Tensor): Tensor {
    // Without ghost batches in play, beginForward's check is the only one.
    if (this.virtualBatchSize === null || !this.training) return this.normalise(input);
    this.checkShape(input);
    if (!this.splitsBatch(input.shape[0]!)) return this.normalise(input);
    if (this.virtualBatchSize === 1 && input.ndim === 2) {
      throw new ShapeError(`${this.describe()}: virtualBatchSize 1 leaves one value per channel in each group of input ${formatShape(input.shape)}; expected 2 or more`);
    }
    return cat(this.virtualBatches(input).map(([start, length]) => this.normalise(narrow(input, 0, start, length))), 0);
  }

  /**
   * Whether a training batch of n samples is normalised in groups (virtualBatchSize, file header);
   * the fused block path of nn.Sequential runs such a block layer by layer.
   * @internal
   */
  splitsBatch(n: number): boolean {
    return this.training && this.virtualBatchSize !== null && n > this.virtualBatchSize;
  }

  /** [start, length] of each group of virtualBatchSize samples; a remainder of one value per channel joins the group before it. */
  private virtualBatches(input: Tensor): [number, number][] {
    const n = input.shape[0]!, v = this.virtualBatchSize!, L = input.shape[2] ?? 1;
    const groups: [number, number][] = [];
    for (let start = 0; start < n; start += v) groups.push([start, Math.min(v, n - start)]);
    const last = groups.at(-1)!;
    if (last[1] * L === 1) {
      groups.pop();
      groups.at(-1)![1] += 1;
    }
    return groups;
  }

  private normalise(input: Tensor): Tensor {
    return batchNorm1d(input, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training,
      momentum: this.beginForward(input),
      eps: this.eps,
      trackNonFinite: this.trackNonFinite,
      onUntracked: this.untrackBatch,
    });
  }

  /**
   * Undoes beginForward's count of a training batch whose statistics the running averages did not
   * take (a NaN/Inf batch, see trackNonFinite): with momentum null the next batch's weight stays
   * 1/(batches actually averaged). Bound, so forward passes it without allocating.
   * @internal
   */
  readonly untrackBatch = (): void => {
    if (this.numBatchesTracked) this.numBatchesTracked.data[0]! -= 1n;
  };

  /**
   * One forward's bookkeeping, shared with the fused block path (nn.Sequential): checks the input,
   * counts the batch (training, trackRunningStats), warns once per process when that happens under
   * noGrad (./mode-warning.ts: probably a forgotten model.eval()) and returns the running-average
   * factor f.
   * @internal
   */
  beginForward(input: Tensor): number {
    this.checkShape(input);
    const s = input.shape;
    const useBatchStats = this.training || this.runningMean === null;
    // Checked before num_batches_tracked moves, so a rejected batch leaves the state as it was.
    if (useBatchStats && s[0]! * (s[2] ?? 1) <= 1) {
      throw new ShapeError(`${this.describe()}: expected more than 1 value per channel when training, got input size ${formatShape(s)}`);
    }
    this.inputObserver?.(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      // The factor first: a count it refuses stays as it was.
      const count = this.numBatchesTracked.data[0]! + 1n;
      factor = batchNorm1dAverageFactor(this.momentum, Number(count));
      this.numBatchesTracked.data[0] = count;
    }
    // Training with running statistics is what eval would not do: update them (and normalise with
    // the batch's). Without running statistics both modes normalise with the batch: nothing to say.
    if (this.training && this.runningMean !== null) {
      warnTrainingModeUnderNoGrad(
        this.describe(),
        this.momentum === 0 ? "it normalised with this batch's statistics instead of its running ones" : 'its running statistics were updated from this batch',
      );
    }
    return factor;
  }

  /** num_batches_tracked counts batches: a negative or unsafe one is a damaged checkpoint, refused on load. */
  protected override loadedEntryProblem(name: string, entry: StateTensor, key: string): string | undefined {
    if (name !== 'num_batches_tracked') return undefined;
    const v = entry.data[0];
    if (v === undefined || (v >= 0 && v <= Number.MAX_SAFE_INTEGER)) return undefined;
    return `invalid value for ${key}: ${v} (a count of batches: an integer in [0, 2^53 - 1])`;
  }

  /** An (N, C) or (N, C, L) tensor with C = numFeatures, or a ShapeError naming the layer. */
  private checkShape(input: Tensor): void {
    checkInput(this.describe(), input);
    const s = input.shape, C = this.numFeatures;
    if ((input.ndim !== 2 && input.ndim !== 3) || s[1] !== C) {
      throw new ShapeError(`${this.describe()}: expected input (N, ${C}) or (N, ${C}, L), got ${formatShape(s)}`);
    }
  }

  override extraRepr(): string {
    // keel's own options: shown only when not the default
    const nonFinite = this.trackNonFinite ? ', trackNonFinite=true' : '';
    const virtual = this.virtualBatchSize !== null ? `, virtualBatchSize=${this.virtualBatchSize}` : '';
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}${nonFinite}${virtual}`;
  }

  toJSON(): ModuleJSON {
    return {
      type: 'BatchNorm1d',
      options: {
        numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats,
        // absent by default: older readers still load the JSON
        ...(this.trackNonFinite ? { trackNonFinite: true } : {}),
        ...(this.virtualBatchSize !== null ? { virtualBatchSize: this.virtualBatchSize } : {}),
      },
    };
  }
}
