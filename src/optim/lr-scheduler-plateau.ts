/**
 * ReduceLROnPlateau, as PyTorch 1.13: multiplies every group's lr by `factor` (not below minLr) when
 * a metric has not improved for more than `patience` steps; after a reduction, `cooldown` steps pass
 * before bad steps count again. "Improved" is, for mode 'min': metric < best·(1 − threshold) ('rel')
 * or metric < best − threshold ('abs'); mirrored for 'max'. A reduction smaller than eps is skipped.
 *
 *   const sched = new ReduceLROnPlateau(opt, { patience: 5 });
 *   for (...) { train(); sched.step(validationLoss); }
 *
 * Unlike the other schedulers it does not set initialLr and takes no step at construction. Its state
 * dict holds `best` and `mode_worse`, which may be ±Infinity: they are saved as the strings
 * "Infinity" / "-Infinity" so the state survives JSON. fit() steps it once per epoch (interval
 * 'epoch') with the monitored value.
 *
 * Stricter than PyTorch: a NaN or infinite metric throws NonFiniteError and changes nothing (PyTorch
 * counts NaN as a bad epoch and may go on reducing the lr, so a diverged run looks like a plateau).
 */
import { FormatError, NonFiniteError, OptionError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type Optimizer } from './optimizer.js';
import {
  type Scheduler,
  type SchedulerInterval,
  type SchedulerJSON,
  type StateField,
  copyOptions,
  checkSchedulerBase,
  dec,
  encodeFields,
  encodeFloat,
  field,
  perGroup,
  prepareFields,
} from './lr-scheduler.js';
import { checkChoice, checkInt, checkKnown, checkNumber, fmt, optionsObject } from '../options.js';

/** Options of ReduceLROnPlateau (torch.optim.lr_scheduler.ReduceLROnPlateau's arguments, camelCase). */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): reduce when the metric stops decreasing; 'max': when it stops increasing. */
  mode?: 'min' | 'max';
  /** new lr = lr × factor, in [0, 1). Default 0.1. */
  factor?: number;
  /** Steps without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** The margin a new value must beat the best by. Default 1e-4. */
  threshold?: number;
  /** 'rel' (default): relative margin; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps after a reduction during which bad steps are not counted. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr: one for all groups or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** Reductions smaller than eps are skipped. Default 1e-8. */
  eps?: number;
}

/** torch.optim.lr_scheduler.ReduceLROnPlateau: multiplies every group's lr by factor when a metric has stopped improving for patience steps; step(metric) once per epoch. */
export class ReduceLROnPlateau implements Scheduler {
  /** The optimiser whose param groups' lr this schedule reduces. */
  readonly optimizer: Optimizer;
  /** 'min': improvement means the metric went down; 'max': up. */
  mode: 'min' | 'max';
  /** Multiplier applied to the lr at each reduction. */
  factor: number;
  /** Steps without improvement tolerated before a reduction. */
  patience: number;
  /** Margin a value must beat the best by to count as an improvement. */
  threshold: number;
  /** Whether threshold is relative ('rel') or absolute ('abs'). */
  thresholdMode: 'rel' | 'abs';
  /** Steps after a reduction during which bad steps are not counted. */
  cooldown: number;
  /** Lower bound of each group's lr. */
  minLrs: number[];
  /** Reductions smaller than eps are skipped. */
  eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Consecutive steps without improvement (outside cooldown). */
  numBadEpochs = 0;
  /** Steps of cooldown left. */
  cooldownCounter = 0;
  /** Steps taken. */
  lastEpoch = 0;
  private modeWorse: number;
  private lastLr: number[];
  /** The constructor's options as given (a copy), for toJSON(). */
  private readonly constructionOptions: Record<string, unknown>;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const w = 'ReduceLROnPlateau';
    const o = optionsObject(w, options);
    checkKnown(w, o, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    checkSchedulerBase(w, optimizer, -1);
    const factor = o.factor ?? 0.1;
    if (typeof factor === 'number' && factor >= 1.0) throw new OptionError(`${w}: Factor should be < 1.0 (factor ${factor})`);
    this.factor = checkNumber(w, 'factor', factor, { min: 0, max: 1, maxExclusive: true });
    this.mode = checkChoice(w, 'mode', o.mode ?? 'min', ['min', 'max'] as const);
    this.patience = checkInt(w, 'patience', o.patience ?? 10, 0);
    this.threshold = checkNumber(w, 'threshold', o.threshold ?? 1e-4, { min: 0 });
    this.thresholdMode = checkChoice(w, 'thresholdMode', o.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    this.cooldown = checkInt(w, 'cooldown', o.cooldown ?? 0, 0);
    this.minLrs = perGroup(w, 'minLr', o.minLr ?? 0, optimizer.paramGroups.length, (x, name) => checkNumber(w, name, x, { min: 0 }));
    this.eps = checkNumber(w, 'eps', o.eps ?? 1e-8, { min: 0 });
    this.optimizer = optimizer;
    this.constructionOptions = copyOptions(o);
    this.modeWorse = this.mode === 'min' ? Infinity : -Infinity;
    this.best = this.modeWorse;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Stepped once per epoch by fit() ('epoch'), with the monitored metric. */
  get interval(): SchedulerInterval {
    return 'epoch';
  }

  /** `{ type: 'ReduceLROnPlateau', options }`: the constructor's options as given (see ./describe.ts). */
  toJSON(): SchedulerJSON {
    return { type: this.constructor.name, options: copyOptions(this.constructionOptions) };
  }

  /** Whether cooldown steps remain. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether `a` improves on `best` by the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Records a metric (a number or a one-element tensor, e.g. the validation loss). */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== 'number') throw new OptionError(`ReduceLROnPlateau.step: the metric must be a number or a one-element Tensor, got ${fmt(metric)}`);
    if (!Number.isFinite(current)) throw new NonFiniteError(`ReduceLROnPlateau.step: the metric must be finite, got ${current}; nothing was changed`);
    this.advance(current);
  }

  /**
   * @internal For fit's ReduceLROnPlateau callback: records an epoch whose monitored value is NaN or
   * infinite as one without improvement — PyTorch's rule (is_better(nan) is false) and Keras' — where
   * step() throws. In fit, throwing would end training before EarlyStopping could put the best weights
   * back; a loop of one's own keeps step()'s error, which says the run diverged.
   */
  stepNonFinite(): void {
    this.advance(NaN);
  }

  /** One step with a checked metric (NaN never improves: every comparison with it is false). */
  private advance(current: number): void {
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The groups' lrs after the last step (their current lrs before any step). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  private fields(): StateField[] {
    const n = this.optimizer.paramGroups.length;
    const num = dec.number();
    return [
      field(this, 'factor', 'factor', (raw, where) => {
        const v = num(raw, where) as number;
        if (!(v >= 0 && v < 1)) throw new FormatError(`${where} must be in [0, 1), got ${v}`);
        return v;
      }),
      field(this, 'min_lrs', 'minLrs', dec.numbers(n)),
      field(this, 'patience', 'patience', dec.int(0)),
      field(this, 'cooldown', 'cooldown', dec.int(0)),
      field(this, 'cooldown_counter', 'cooldownCounter', dec.int(0)),
      field(this, 'mode', 'mode', dec.choice(['min', 'max'])),
      field(this, 'threshold', 'threshold', num),
      field(this, 'threshold_mode', 'thresholdMode', dec.choice(['rel', 'abs'])),
      field(this, 'best', 'best', dec.float(), encodeFloat),
      field(this, 'num_bad_epochs', 'numBadEpochs', dec.int(0)),
      field(this, 'mode_worse', 'modeWorse' as keyof this & string, dec.float(), encodeFloat),
      field(this, 'eps', 'eps', num),
      field(this, 'last_epoch', 'lastEpoch', dec.int(0)),
      field(this, '_last_lr', 'lastLr' as keyof this & string, dec.numbers(n)),
    ];
  }

  /** The state with PyTorch's attribute names (±Infinity as strings). */
  stateDict(): Record<string, unknown> {
    return encodeFields(this.fields());
  }

  /** @internal Checks a state dict and returns the function that applies it. */
  prepareLoad(stateDict: unknown): () => void {
    const apply = prepareFields('ReduceLROnPlateau.loadStateDict', this.fields(), stateDict);
    return () => {
      apply();
      // As PyTorch's _init_is_better after loading: mode_worse follows the mode.
      this.modeWorse = this.mode === 'min' ? Infinity : -Infinity;
    };
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    this.prepareLoad(stateDict)();
  }
}
