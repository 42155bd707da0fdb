/**
 * OneCycleLR, as PyTorch 1.13: the 1cycle policy (Smith & Topin). The lr rises from
 * initialLr = maxLr/divFactor to maxLr over the first pctStart of totalSteps, then anneals to
 * minLr = initialLr/finalDivFactor (threePhase: back to initialLr first, then to minLr). With
 * cycleMomentum the momentum moves inversely between maxMomentum and baseMomentum — SGD's
 * `momentum`, or Adam/AdamW's beta1 (`betas[0]`), as PyTorch does. It is not chainable: each step
 * computes every group's lr from the group's initialLr / maxLr / minLr (set on the groups at
 * construction, and saved with the optimizer's state).
 *
 * Call step() once per batch, at most totalSteps times in all (counting the construction's step,
 * PyTorch raises past totalSteps; so does this); fit() does (interval 'batch').
 */
import { FormatError, OptionError, StateError } from '../errors.js';
import type { Optimizer, ParamGroup } from './optimizer.js';
import { snakeToCamel } from './optimizer.js';
import {
  LRScheduler,
  type LRSchedulerOptions,
  type SchedulerInterval,
  type StateField,
  checkSchedulerBase,
  dec,
  field,
  perGroup,
} from './lr-scheduler.js';
import { checkBoolean, checkChoice, checkInt, checkKnown, checkNumber, fmt, isObject, optionsObject } from '../options.js';

/** Options of OneCycleLR (torch.optim.lr_scheduler.OneCycleLR's arguments, camelCase). */
export interface OneCycleLROptions extends LRSchedulerOptions {
  /** The peak lr: one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Total steps of the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** Epochs of the cycle, with stepsPerEpoch: totalSteps = epochs × stepsPerEpoch. */
  epochs?: number;
  /** Steps (batches) per epoch, with epochs. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (SGD momentum / Adam beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr's peak. Default 0.85 (one value or one per group). */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and end. Default 0.95 (one value or one per group). */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to initialLr, then to minLr) instead of two. Default false. */
  threePhase?: boolean;
}

/** One phase of the cycle, with PyTorch's keys: the group keys it anneals between. */
export interface OneCyclePhase {
  /** Step (0-based) at which the phase ends. */
  end_step: number;
  /** Group key of the lr at the phase's start, e.g. 'initial_lr'. */
  start_lr: string;
  /** Group key of the lr at the phase's end, e.g. 'max_lr'. */
  end_lr: string;
  /** Group key of the momentum at the phase's start, e.g. 'max_momentum'. */
  start_momentum: string;
  /** Group key of the momentum at the phase's end, e.g. 'base_momentum'. */
  end_momentum: string;
}

const PHASE_KEYS = ['initial_lr', 'max_lr', 'min_lr', 'max_momentum', 'base_momentum'];

function phasesFor(totalSteps: number, pctStart: number, threePhase: boolean): OneCyclePhase[] {
  if (threePhase) {
    return [
      { end_step: pctStart * totalSteps - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
      { end_step: 2 * pctStart * totalSteps - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
      { end_step: totalSteps - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
    ];
  }
  return [
    { end_step: pctStart * totalSteps - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
    { end_step: totalSteps - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
  ];
}

/**
 * The first step computes pct = 0 / end_step of the first phase: with end_step 0 (pctStart·totalSteps
 * = 1) PyTorch's constructor fails dividing by zero. Checked before the groups are changed.
 */
function checkFirstPhase(where: string, phases: OneCyclePhase[]): void {
  if (phases[0]!.end_step === 0) {
    throw new OptionError(`${where}: pctStart × totalSteps = 1 leaves the warm-up phase without steps (PyTorch divides by zero here): change pctStart or totalSteps`);
  }
}

/** torch.optim.lr_scheduler.OneCycleLR: the 1cycle policy, lr up from maxLr/divFactor to maxLr, then annealed down (momentum inversely, with cycleMomentum). Step once per batch. */
export class OneCycleLR extends LRScheduler {
  /** Steps in the whole cycle; step() past it throws, as in PyTorch. */
  totalSteps: number;
  /** The phases of the cycle (two, or three with threePhase), PyTorch's _schedule_phases. */
  schedulePhases: OneCyclePhase[];
  /** How the lr moves within a phase: 'cos' or 'linear'. */
  annealStrategy: 'cos' | 'linear';
  /** Whether the momentum cycles inversely to the lr. */
  cycleMomentum: boolean;
  /** Whether the momentum cycled is betas[0] (Adam/AdamW) rather than momentum (SGD). */
  useBeta1: boolean;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const w = 'OneCycleLR';
    const o = optionsObject(w, options);
    checkKnown(w, o, [
      'maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch',
    ]);
    const lastEpoch = checkSchedulerBase(w, optimizer, o.lastEpoch);
    let totalSteps: number;
    if (o.totalSteps === undefined && o.epochs === undefined && o.stepsPerEpoch === undefined) {
      throw new OptionError(`${w}: You must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    } else if (o.totalSteps !== undefined) {
      totalSteps = checkInt(w, 'totalSteps', o.totalSteps, 1);
    } else {
      totalSteps = checkInt(w, 'epochs', o.epochs, 1) * checkInt(w, 'stepsPerEpoch', o.stepsPerEpoch, 1);
    }
    const pctStart = checkNumber(w, 'pctStart', o.pctStart ?? 0.3, { min: 0, max: 1 });
    const threePhase = checkBoolean(w, 'threePhase', o.threePhase ?? false);
    const phases = phasesFor(totalSteps, pctStart, threePhase);
    checkFirstPhase(w, phases);
    const annealStrategy = checkChoice(w, 'annealStrategy', o.annealStrategy ?? 'cos', ['cos', 'linear'] as const);
    const divFactor = checkNumber(w, 'divFactor', o.divFactor ?? 25, { min: 0, minExclusive: true });
    const finalDivFactor = checkNumber(w, 'finalDivFactor', o.finalDivFactor ?? 1e4, { min: 0, minExclusive: true });
    const groups = optimizer.paramGroups;
    const n = groups.length;
    const maxLrs = perGroup(w, 'maxLr', o.maxLr, n, (x, name) => checkNumber(w, name, x, { min: 0 }));
    const cycleMomentum = checkBoolean(w, 'cycleMomentum', o.cycleMomentum ?? true);
    let useBeta1 = false;
    let maxMomenta: number[] = [], baseMomenta: number[] = [];
    if (cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new OptionError(`${w}: optimizer must support momentum with \`cycleMomentum\` option enabled (${optimizer.constructor.name} has neither momentum nor betas)`);
      }
      useBeta1 = 'betas' in optimizer.defaults;
      const mom = (x: unknown, name: string) => checkNumber(w, name, x, { min: 0, max: 1, maxExclusive: useBeta1 });
      maxMomenta = perGroup(w, 'maxMomentum', o.maxMomentum ?? 0.95, n, mom);
      baseMomenta = perGroup(w, 'baseMomentum', o.baseMomentum ?? 0.85, n, mom);
    }
    if (lastEpoch !== -1) {
      groups.forEach((g, i) => {
        for (const k of ['maxLr', 'minLr', ...(cycleMomentum ? ['maxMomentum', 'baseMomentum'] : [])]) {
          if (typeof g[k] !== 'number') throw new StateError(`${w}: paramGroups[${i}] has no ${k} to resume from (lastEpoch ${lastEpoch})`);
        }
      });
    }
    // Everything is valid: set up the groups, as PyTorch does before its base constructor.
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDivFactor;
      });
      if (cycleMomentum) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxMomenta[i]!, ...((g.betas as number[] | undefined) ?? [0.9, 0.999]).slice(1)];
          else g.momentum = maxMomenta[i]!;
          g.maxMomentum = maxMomenta[i]!;
          g.baseMomentum = baseMomenta[i]!;
        });
      }
    }
    super(optimizer, lastEpoch, o);
    this.totalSteps = totalSteps;
    this.schedulePhases = phases;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  /** Stepped after every batch by fit() ('batch'): totalSteps counts batches. */
  override get interval(): SchedulerInterval {
    return 'batch';
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') {
      const cosOut = Math.cos(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new StateError(`OneCycleLR: Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const phases = this.schedulePhases;
    const value = (g: ParamGroup, key: string): number => {
      const v = g[snakeToCamel(key)];
      if (typeof v !== 'number') throw new StateError(`OneCycleLR: a param group has no ${snakeToCamel(key)}`);
      return v;
    };
    return this.optimizer.paramGroups.map((g) => {
      let startStep = 0;
      let lr = NaN, momentum = NaN;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i]!;
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === phases.length - 1) {
          if (endStep === startStep) {
            throw new StateError(`OneCycleLR: step ${stepNum} falls in phase ${i}, which has no steps (it ends where it starts, at ${endStep}); PyTorch divides by zero here`);
          }
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this.anneal(value(g, phase.start_lr), value(g, phase.end_lr), pct);
          if (this.cycleMomentum) momentum = this.anneal(value(g, phase.start_momentum), value(g, phase.end_momentum), pct);
          break;
        }
        startStep = phase.end_step;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...((g.betas as number[] | undefined) ?? [0.9, 0.999]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }

  protected override stateFields(): StateField[] {
    return [
      ...super.stateFields(),
      field(this, 'total_steps', 'totalSteps', dec.int(1)),
      field(this, '_schedule_phases', 'schedulePhases', (raw, where) => {
        if (!Array.isArray(raw) || raw.length < 2 || raw.length > 3) throw new FormatError(`${where} must be an array of 2 or 3 phases, got ${fmt(raw)}`);
        const phases = raw.map((p: unknown, i: number) => {
          if (!isObject(p) || typeof p.end_step !== 'number' || !Number.isFinite(p.end_step)) throw new FormatError(`${where}[${i}] must be a phase { end_step, start_lr, ... }, got ${fmt(p)}`);
          for (const k of ['start_lr', 'end_lr', 'start_momentum', 'end_momentum']) {
            if (!PHASE_KEYS.includes(p[k] as string)) throw new FormatError(`${where}[${i}].${k} must be one of ${PHASE_KEYS.join(', ')}, got ${fmt(p[k])}`);
          }
          return { end_step: p.end_step, start_lr: p.start_lr, end_lr: p.end_lr, start_momentum: p.start_momentum, end_momentum: p.end_momentum } as OneCyclePhase;
        });
        return phases;
      }),
      field(this, 'anneal_strategy', 'annealStrategy', dec.choice(['cos', 'linear'])),
      field(this, 'cycle_momentum', 'cycleMomentum', dec.boolean()),
      field(this, 'use_beta1', 'useBeta1', dec.boolean()),
    ];
  }
}
