/**
 * Warm-up schedules, as PyTorch 1.13's ConstantLR and LinearLR (chainable, with closed forms), and
 * SequentialLR, which runs schedules one after another at milestones — "warm-up then decay" is
 *
 *   new SequentialLR(opt, [new LinearLR(opt, { startFactor: 0.1, totalIters: 5 }),
 *                          new CosineAnnealingLR(opt, { tMax: 95 })], [5])
 *
 * SequentialLR reproduces PyTorch's construction exactly: it resets every group's lr to initialLr,
 * rewinds each child by one step, and re-runs the first child's initial step; at a milestone the next
 * child restarts with step(0) (its closed form at epoch 0).
 *
 * ConstantLR and LinearLR are stepped once per epoch by fit() (interval 'epoch'); SequentialLR at its
 * children's interval ('batch' only when every child is per-batch). SequentialLR's toJSON() describes
 * its children recursively.
 */
import { FormatError, OptionError, StateError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { bisectRight, checkMilestones } from './lr-scheduler-decay.js';
import {
  LRScheduler,
  type LRSchedulerOptions,
  type Scheduler,
  type SchedulerInterval,
  type SchedulerJSON,
  type StateField,
  dec,
  encodeFields,
  field,
  prepareFields,
} from './lr-scheduler.js';
import { checkInt, checkKnown, checkNumber, fmt, isObject, optionsObject } from '../options.js';

/** Options of ConstantLR (torch.optim.lr_scheduler.ConstantLR's arguments). */
export interface ConstantLROptions extends LRSchedulerOptions {
  /** The factor applied until totalIters, in (0, 1]. Default 1/3. */
  factor?: number;
  /** Number of steps the factor applies. Default 5. */
  totalIters?: number;
}

/** Multiplies the lr by a constant factor for the first totalIters steps. */
export class ConstantLR extends LRScheduler {
  /** The factor applied to the base lr until totalIters. */
  factor: number;
  /** Steps during which the factor applies. */
  totalIters: number;

  constructor(optimizer: Optimizer, options: ConstantLROptions = {}) {
    const o = optionsObject('ConstantLR', options);
    checkKnown('ConstantLR', o, ['factor', 'totalIters', 'lastEpoch']);
    // PyTorch accepts factor 0, which then divides by zero at totalIters.
    const factor = checkNumber('ConstantLR', 'factor', o.factor ?? 1 / 3, { min: 0, max: 1, minExclusive: true });
    const totalIters = checkInt('ConstantLR', 'totalIters', o.totalIters ?? 5, 0);
    super(optimizer, o.lastEpoch, o);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }

  protected override stateFields(): StateField[] {
    return [...super.stateFields(), field(this, 'factor', 'factor', dec.number()), field(this, 'total_iters', 'totalIters', dec.int(0))];
  }
}

/** Options of LinearLR (torch.optim.lr_scheduler.LinearLR's arguments). */
export interface LinearLROptions extends LRSchedulerOptions {
  /** The factor at the first step, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** The factor from totalIters on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Steps over which the factor moves linearly from startFactor to endFactor. Default 5. */
  totalIters?: number;
}

/** Moves the lr's factor linearly from startFactor to endFactor over totalIters steps (a linear warm-up). */
export class LinearLR extends LRScheduler {
  /** Factor of the base lr at step 0. */
  startFactor: number;
  /** Factor of the base lr from totalIters on. */
  endFactor: number;
  /** Steps over which the factor moves linearly from startFactor to endFactor. */
  totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    const o = optionsObject('LinearLR', options);
    checkKnown('LinearLR', o, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    // As PyTorch 2 (1.13 accepts 0 and then divides by zero at the second step).
    const startFactor = checkNumber('LinearLR', 'startFactor', o.startFactor ?? 1 / 3, { min: 0, max: 1, minExclusive: true });
    const endFactor = checkNumber('LinearLR', 'endFactor', o.endFactor ?? 1, { min: 0, max: 1 });
    const totalIters = checkInt('LinearLR', 'totalIters', o.totalIters ?? 5, 0);
    super(optimizer, o.lastEpoch, o);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: t, lastEpoch: k } = this;
    if (k === 0) return this.groupLrs().map((lr) => lr * s);
    if (k > t) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (e - s) / (t * s + (k - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: t, lastEpoch: k } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(t, k)) / t));
  }

  protected override stateFields(): StateField[] {
    return [
      ...super.stateFields(),
      field(this, 'start_factor', 'startFactor', dec.number()),
      field(this, 'end_factor', 'endFactor', dec.number()),
      field(this, 'total_iters', 'totalIters', dec.int(0)),
    ];
  }
}

/**
 * Runs schedulers one after another: schedulers[i] drives the lr from milestones[i − 1] on. The
 * children must be built on the same optimizer (just before this, as in PyTorch).
 */
export class SequentialLR implements Scheduler {
  /** The optimiser the children schedule (they must share it). */
  readonly optimizer: Optimizer;
  /** The child schedules, in the order they take over. */
  readonly schedulers: readonly LRScheduler[];
  /** The steps at which the next child takes over (one fewer than schedulers). */
  milestones: number[];
  /** The index of the last step taken (0 after construction). */
  lastEpoch: number;
  private lastLr: number[];
  /** The milestones given to the constructor (toJSON). */
  private readonly constructionMilestones: number[];

  constructor(optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[]) {
    const where = 'SequentialLR';
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new OptionError(`${where}: schedulers must be a non-empty array of schedulers, got ${fmt(schedulers)}`);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new OptionError(`${where}: schedulers[${i}] is ${fmt(s)}, not an LRScheduler (SequentialLR and ReduceLROnPlateau cannot be nested)`);
      if (s.optimizer !== optimizer) {
        throw new OptionError(`${where}: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
      }
    });
    const ms = checkMilestones(where, milestones, true);
    if (ms.length !== schedulers.length - 1) {
      throw new OptionError(
        `${where}: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${ms.length}`,
      );
    }
    optimizer.paramGroups.forEach((g, i) => {
      if (typeof g.initialLr !== 'number') throw new StateError(`${where}: paramGroups[${i}] has no initialLr`);
    });
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = ms;
    this.constructionMilestones = [...ms];
    this.lastEpoch = 0;
    // Reset learning rates back to initial values, "undo" the children's initial steps, and perform
    // the initial step of the first one only.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  /** The children's interval when they all agree on 'batch'; otherwise 'epoch' (fit() steps it per epoch). */
  get interval(): SchedulerInterval {
    return this.schedulers.every((s) => s.interval === 'batch') ? 'batch' : 'epoch';
  }

  /** `{ type: 'SequentialLR', options: { schedulers: [each child's toJSON()], milestones } }`. */
  toJSON(): SchedulerJSON {
    return { type: this.constructor.name, options: { schedulers: this.schedulers.map((s) => s.toJSON()), milestones: [...this.constructionMilestones] } };
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.stepAt(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  private fields(): StateField[] {
    const n = this.optimizer.paramGroups.length;
    return [
      field(this, 'last_epoch', 'lastEpoch', dec.int(0)),
      field(this, '_milestones', 'milestones', (raw, where) => {
        const ms = checkMilestones(where, raw, true);
        if (ms.length !== this.schedulers.length - 1) throw new FormatError(`${where} has ${ms.length} milestones, expected ${this.schedulers.length - 1}`);
        return ms;
      }),
      field(this, '_last_lr', 'lastLr' as keyof this & string, dec.numbers(n)),
    ];
  }

  /** The state: last_epoch, _milestones, _last_lr and the children's states in _schedulers. */
  stateDict(): Record<string, unknown> {
    return { ...encodeFields(this.fields()), _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** @internal Checks a state dict (with the children's) and returns the function that applies it. */
  prepareLoad(stateDict: unknown): () => void {
    const where = 'SequentialLR.loadStateDict';
    if (!isObject(stateDict)) throw new FormatError(`${where}: expected a state dict object, got ${fmt(stateDict)}`);
    const { _schedulers: children, ...own } = stateDict;
    if (!Array.isArray(children) || children.length !== this.schedulers.length) {
      throw new FormatError(`${where}: _schedulers must be an array of ${this.schedulers.length} scheduler states, got ${fmt(children)}`);
    }
    const apply = [prepareFields(where, this.fields(), own), ...children.map((c, i) => this.schedulers[i]!.prepareLoad(c))];
    return () => apply.forEach((f) => f());
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    this.prepareLoad(stateDict)();
  }
}
