/**
 * The training-recipe flags `keel train` shares between its data paths: the optimiser, the
 * learning-rate schedule and (for time series) augmentation, turned into fit() options. Defaults keep
 * what train did before these flags existed: AdamW, no schedule, no augmentation.
 */
import * as augment from '../augment/index.js';
import type { Module } from '../nn/module.js';
import * as optim from '../optim/index.js';
import type { FitOptions } from '../train/options.js';
import { listOption } from './args.js';
import { UsageError } from './errors.js';

const OPTIMIZERS = ['adamw', 'adam', 'sgd'] as const;
const SCHEDULES = ['none', 'cosine', 'onecycle', 'step'] as const;
const AUGMENTATIONS = ['jitter', 'scaling', 'magnitudeWarp', 'timeWarp', 'windowSlice', 'timeShift', 'channelDropout', 'mixup', 'cutmix'] as const;

export const RECIPE_OPTIONS = {
  optimizer: { type: 'string', default: 'adamw' },
  schedule: { type: 'string', default: 'none' },
  augment: { type: 'string' },
} as const;

export const RECIPE_USAGE = `  --optimizer NAME    adamw (decoupled weight decay), adam (L2 added to the gradient) or sgd
                      (momentum 0.9, L2 added to the gradient); weight decay on weights only (default adamw)
  --schedule NAME     none, cosine (to 0 over the epochs), onecycle (warm-up to --lr, then
                      annealing; per batch) or step (×0.1 every third of the epochs) (default none)
  --augment LIST      time series only: training-batch augmentation, comma-separated from
                      ${AUGMENTATIONS.join(', ')}
                      with their default options (MixUp/CutMix α 0.2; a classifier's labels mixed
                      as probabilities), or one JSON spec
                      ('{"type":"jitter","options":{"sigma":0.05}}'; see augment.fromSpec)`;

function one<const A extends readonly string[]>(name: string, text: string, allowed: A): A[number] {
  if (!allowed.includes(text)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${text}"`);
  return text;
}

/** The augmentation `--augment` describes, or undefined; MixUp and CutMix mix a regressor's targets (`classes` 0) or a classifier's labels as probabilities. */
function augmentation(text: string | undefined, classes: number): augment.Augmentation | undefined {
  if (text === undefined) return undefined;
  try {
    if (text.trim().startsWith('{')) return augment.fromSpec(JSON.parse(text));
  } catch (e) {
    throw new UsageError(`--augment: ${(e as Error).message}`, { cause: e });
  }
  const names = listOption('augment', text, AUGMENTATIONS);
  let mixed = false;
  const parts = names.map((n) => {
    if (n !== 'mixup' && n !== 'cutmix') return augment[n]();
    const t = mixTargets(classes, mixed);
    mixed = true;
    return augment[n]({ alpha: 0.2, ...t });
  });
  return parts.length === 1 ? parts[0] : augment.compose(parts);
}

/**
 * What a mixing transform of the list mixes: a regressor's targets, or a classifier's labels — class
 * indices for the first one, and for any after it the (N, classes) probability rows the first returns.
 */
function mixTargets(classes: number, afterMixing: boolean): augment.MixOptions {
  if (classes === 0) return { targets: 'regression' };
  return { targets: afterMixing ? 'probabilities' : 'classes', numClasses: classes };
}

export interface Recipe {
  optimizer: string;
  schedule: string;
  augment: string | null;
}

/** fit() options for the recipe flags, and what they were (for model.json and the report). */
export function recipeFitOptions(
  values: { optimizer: string; schedule: string; augment?: string | undefined },
  lr: number, weightDecay: number, data: { timeSeries: boolean; classes: number },
): { fit: Pick<FitOptions, 'optimizer' | 'scheduler' | 'augment'>; recipe: Recipe } {
  const name = one('optimizer', values.optimizer, OPTIMIZERS);
  const schedule = one('schedule', values.schedule, SCHEDULES);
  if (values.augment !== undefined && !data.timeSeries) throw new UsageError('--augment takes time-series augmentations; this model reads flat rows (images or a table)');
  const aug = augmentation(values.augment, data.classes);
  const groups = (m: Module) => optim.weightDecayGroups(m, weightDecay);
  const optimizer: FitOptions['optimizer'] =
    name === 'adamw' ? (_p, m) => new optim.AdamW(groups(m), { lr })
    : name === 'adam' ? (_p, m) => new optim.Adam(groups(m), { lr })
    : (_p, m) => new optim.SGD(groups(m), { lr, momentum: 0.9 });
  const scheduler: FitOptions['scheduler'] =
    schedule === 'cosine' ? (opt, { epochs }) => new optim.CosineAnnealingLR(opt, { tMax: epochs })
    : schedule === 'onecycle' ? (opt, { epochs, stepsPerEpoch }) => new optim.OneCycleLR(opt, { maxLr: lr, epochs, stepsPerEpoch })
    : schedule === 'step' ? (opt, { epochs }) => new optim.StepLR(opt, { stepSize: Math.max(1, Math.round(epochs / 3)), gamma: 0.1 })
    : undefined;
  return {
    fit: { optimizer, ...(scheduler ? { scheduler } : {}), ...(aug ? { augment: aug } : {}) },
    recipe: { optimizer: name, schedule, augment: values.augment ?? null },
  };
}
