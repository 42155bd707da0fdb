/**
 * Decay schedules, as PyTorch 1.13's StepLR, MultiStepLR, ExponentialLR and LambdaLR. The first three
 * are chainable (each step multiplies the groups' current lr) with PyTorch's closed forms for
 * step(epoch) jumps; LambdaLR sets base lr × lrLambda(epoch). All four are stepped once per epoch by
 * fit() (interval 'epoch').
 */
import { OptionError, StateError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import {
  LRScheduler,
  type LRSchedulerOptions,
  type StateField,
  dec,
  field,
} from './lr-scheduler.js';
import { checkInt, checkKnown, checkNumber, fmt, optionsObject } from '../options.js';

/** Python's bisect_right: the number of elements of the sorted array `a` that are <= x. */
export function bisectRight(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Options of StepLR (torch.optim.lr_scheduler.StepLR's arguments). */
export interface StepLROptions extends LRSchedulerOptions {
  /** Period of the decay, in steps. */
  stepSize: number;
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
}

/** Multiplies the lr by gamma every stepSize steps. */
export class StepLR extends LRScheduler {
  /** Period of the decay, in steps. */
  stepSize: number;
  /** Multiplicative factor applied every stepSize steps. */
  gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    const o = optionsObject('StepLR', options);
    checkKnown('StepLR', o, ['stepSize', 'gamma', 'lastEpoch']);
    const stepSize = checkInt('StepLR', 'stepSize', o.stepSize, 1);
    const gamma = checkNumber('StepLR', 'gamma', o.gamma ?? 0.1, { min: 0 });
    super(optimizer, o.lastEpoch, o);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override stateFields(): StateField[] {
    return [...super.stateFields(), field(this, 'step_size', 'stepSize', dec.int(1)), field(this, 'gamma', 'gamma', dec.number())];
  }
}

/** Options of MultiStepLR (torch.optim.lr_scheduler.MultiStepLR's arguments). */
export interface MultiStepLROptions extends LRSchedulerOptions {
  /** Step indices at which the lr is multiplied by gamma (non-decreasing; a repeated one applies gamma again). */
  milestones: readonly number[];
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
}

/** Multiplies the lr by gamma at each milestone. */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted, repeated as given (PyTorch keeps a Counter). */
  milestones: number[];
  /** Multiplicative factor applied at each milestone. */
  gamma: number;

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    const o = optionsObject('MultiStepLR', options);
    checkKnown('MultiStepLR', o, ['milestones', 'gamma', 'lastEpoch']);
    const milestones = checkMilestones('MultiStepLR', o.milestones, false);
    const gamma = checkNumber('MultiStepLR', 'gamma', o.gamma ?? 0.1, { min: 0 });
    super(optimizer, o.lastEpoch, o);
    this.milestones = milestones;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }

  protected override stateFields(): StateField[] {
    return [
      ...super.stateFields(),
      field(this, 'milestones', 'milestones', (raw, where) => checkMilestones(where, raw, false)),
      field(this, 'gamma', 'gamma', dec.number()),
    ];
  }
}

/** Milestones: non-negative integers, non-decreasing (strictly increasing if `strict`). */
export function checkMilestones(where: string, v: unknown, strict: boolean): number[] {
  if (!Array.isArray(v) || !v.every((m) => typeof m === 'number' && Number.isInteger(m) && m >= 0)) {
    throw new OptionError(`${where}: milestones must be an array of non-negative integers, got ${fmt(v)}`);
  }
  for (let i = 1; i < v.length; i++) {
    if (strict ? v[i] <= v[i - 1] : v[i] < v[i - 1]) {
      throw new OptionError(`${where}: milestones must be ${strict ? 'strictly increasing' : 'non-decreasing'}, got ${fmt(v)}`);
    }
  }
  return [...(v as number[])];
}

/** Options of ExponentialLR (torch.optim.lr_scheduler.ExponentialLR's arguments). */
export interface ExponentialLROptions extends LRSchedulerOptions {
  /** Multiplicative factor applied every step. */
  gamma: number;
}

/** Multiplies the lr by gamma every step. */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative factor applied every step. */
  gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    const o = optionsObject('ExponentialLR', options);
    checkKnown('ExponentialLR', o, ['gamma', 'lastEpoch']);
    const gamma = checkNumber('ExponentialLR', 'gamma', o.gamma, { min: 0 });
    super(optimizer, o.lastEpoch, o);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected override stateFields(): StateField[] {
    return [...super.stateFields(), field(this, 'gamma', 'gamma', dec.number())];
  }
}

/** Options of LambdaLR (torch.optim.lr_scheduler.LambdaLR's arguments). */
export interface LambdaLROptions extends LRSchedulerOptions {
  /** The factor of the base lr at each step: one function for all groups, or one per group. */
  lrLambda: ((epoch: number) => number) | ReadonlyArray<(epoch: number) => number>;
}

/**
 * Sets each group's lr to its base lr × lrLambda(step). The functions are not part of the state dict,
 * and LambdaLR cannot move to a worker thread (toJSON throws).
 */
export class LambdaLR extends LRScheduler {
  /** One factor function per param group: group i's lr is its base lr times lrLambdas[i] of the step. */
  readonly lrLambdas: ReadonlyArray<(epoch: number) => number>;

  constructor(optimizer: Optimizer, options: LambdaLROptions) {
    const o = optionsObject('LambdaLR', options);
    checkKnown('LambdaLR', o, ['lrLambda', 'lastEpoch']);
    const groups = (optimizer as Optimizer | undefined)?.paramGroups?.length ?? 0;
    let lambdas: Array<(epoch: number) => number>;
    if (Array.isArray(o.lrLambda)) {
      if (o.lrLambda.length !== groups) throw new OptionError(`LambdaLR: expected ${groups} lrLambdas (one per param group), but got ${o.lrLambda.length}`);
      lambdas = [...(o.lrLambda as Array<(epoch: number) => number>)];
    } else {
      lambdas = new Array(groups).fill(o.lrLambda);
    }
    lambdas.forEach((f, i) => {
      if (typeof f !== 'function') throw new OptionError(`LambdaLR: lrLambda${Array.isArray(o.lrLambda) ? `[${i}]` : ''} must be a function, got ${fmt(f)}`);
    });
    super(optimizer, o.lastEpoch);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  /**
   * Always throws: lrLambda is a function, which has no data form, so LambdaLR cannot be rebuilt in
   * another thread (describeScheduler reports this message as its reason).
   */
  override toJSON(): never {
    throw new StateError(
      'LambdaLR cannot be described as data: its lrLambda is a function, and functions cannot move to another thread ' +
        '(use a built-in schedule such as LinearLR, ExponentialLR, StepLR or CosineAnnealingLR, or register a scheduler type with optim.registerSchedulerType)',
    );
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const f = this.lrLambdas[i]!(this.lastEpoch);
      if (typeof f !== 'number') throw new OptionError(`LambdaLR: lrLambda(${this.lastEpoch}) returned ${fmt(f)}, expected a number`);
      return b * f;
    });
  }
}
