/**
 * CosineAnnealingLR, as PyTorch 1.13: the recursive (chainable) form of
 *
 *   η_t = η_min + (η_max − η_min)·(1 + cos(π·t/T_max))/2
 *
 * with PyTorch's branch at t = (2k+1)·T_max + 1 (where the ratio form would divide by zero), so the
 * lr goes back up after T_max exactly as PyTorch's does (no restarts: a cosine wave of period 2·T_max).
 * The same arithmetic in the same order as PyTorch, in float64. tMax counts epochs: fit() steps it
 * once per epoch (interval 'epoch').
 */
import type { Optimizer } from './optimizer.js';
import { LRScheduler, type LRSchedulerOptions, type StateField, dec, field } from './lr-scheduler.js';
import { checkInt, checkKnown, checkNumber, optionsObject } from '../options.js';

/** Options of CosineAnnealingLR (torch.optim.lr_scheduler.CosineAnnealingLR's arguments). */
export interface CosineAnnealingLROptions extends LRSchedulerOptions {
  /** Half-period of the cosine, in steps (PyTorch's T_max). */
  tMax: number;
  /** The minimum lr (PyTorch's eta_min). Default 0. */
  etaMin?: number;
}

/** torch.optim.lr_scheduler.CosineAnnealingLR: η_t = η_min + (η_max − η_min)·(1 + cos(π·t/T_max))/2, PyTorch's chainable form (no restarts). Step once per epoch. */
export class CosineAnnealingLR extends LRScheduler {
  /** Half the period of the cosine, in steps (PyTorch's T_max). */
  tMax: number;
  /** The lr's minimum η_min (PyTorch's eta_min). */
  etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    const o = optionsObject('CosineAnnealingLR', options);
    checkKnown('CosineAnnealingLR', o, ['tMax', 'etaMin', 'lastEpoch']);
    const tMax = checkInt('CosineAnnealingLR', 'tMax', o.tMax, 1);
    const etaMin = checkNumber('CosineAnnealingLR', 'etaMin', o.etaMin ?? 0, { min: 0 });
    super(optimizer, o.lastEpoch, o);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin: lo } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return this.groupLrs();
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map((b) => lo + ((b - lo) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    }
    if ((t - 1 - T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - lo) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - lo) + lo);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin: lo } = this;
    return this.baseLrs.map((b) => lo + ((b - lo) * (1 + Math.cos((Math.PI * t) / T))) / 2);
  }

  protected override stateFields(): StateField[] {
    return [...super.stateFields(), field(this, 'T_max', 'tMax', dec.int(1)), field(this, 'eta_min', 'etaMin', dec.number())];
  }
}
