/**
 * The BatchNorm flags `keel train` shares between its data paths — --no-batchnorm, --bn-momentum and
 * --bn-virtual-batch (ghost batches) — as the options of the BatchNorm1d layers of the model it
 * builds. The last two with --no-batchnorm are a usage error: there is no BatchNorm for them to set.
 */
import { intOption, numberOption, rejectOptions } from './args.js';
import { UsageError } from './errors.js';

export const BATCHNORM_OPTIONS = {
  'no-batchnorm': { type: 'boolean', default: false },
  'bn-momentum': { type: 'string' },
  'bn-virtual-batch': { type: 'string' },
} as const;

export const BATCHNORM_USAGE = `  --no-batchnorm      no BatchNorm1d (the layers before it then have biases)
  --bn-momentum X     momentum of BatchNorm's running statistics, in [0, 1] (default 0.1)
  --bn-virtual-batch N  ghost batches: in training, BatchNorm normalises each group of N samples
                      of a batch with the group's own statistics (default: the whole batch)`;

/** What the flags ask of the model's BatchNorm1d layers. */
export interface BatchNormFlags {
  /** Whether the model has BatchNorm1d layers. */
  batchNorm: boolean;
  /** Their momentum (BatchNorm1dOptions.momentum). */
  momentum: number;
  /** Their virtualBatchSize, or null for the whole batch. */
  virtualBatchSize: number | null;
}

export function batchNormFlags(values: { 'no-batchnorm'?: boolean; 'bn-momentum'?: string; 'bn-virtual-batch'?: string }): BatchNormFlags {
  const batchNorm = !values['no-batchnorm'];
  if (!batchNorm) rejectOptions(values, ['bn-momentum', 'bn-virtual-batch'], '--no-batchnorm (the model has no BatchNorm to set)');
  return {
    batchNorm,
    momentum: numberOption('bn-momentum', values['bn-momentum'] ?? '0.1', 0, 1),
    virtualBatchSize: values['bn-virtual-batch'] === undefined ? null : intOption('bn-virtual-batch', values['bn-virtual-batch'], 1, 1 << 20),
  };
}

/** The flags as model.json's training options record them. */
export function batchNormRecord(bn: BatchNormFlags): { batchNorm: boolean; bnMomentum?: number; bnVirtualBatchSize?: number } {
  if (!bn.batchNorm) return { batchNorm: false };
  return { batchNorm: true, bnMomentum: bn.momentum, ...(bn.virtualBatchSize !== null ? { bnVirtualBatchSize: bn.virtualBatchSize } : {}) };
}

/** "BatchNorm on", "BatchNorm off" or "BatchNorm on (ghost batches of N)", for the report's summary. */
export function batchNormText(bn: BatchNormFlags): string {
  if (!bn.batchNorm) return 'BatchNorm off';
  return bn.virtualBatchSize === null ? 'BatchNorm on' : `BatchNorm on (ghost batches of ${bn.virtualBatchSize})`;
}

/**
 * The MLP's BatchNorm1d sees (batch, features): a batch of one row gives it one value per feature,
 * whose variance training cannot normalise by (PyTorch raises at the first batch, and so does fit).
 * Refused before anything trains; `otherwise` says what else the command offers.
 */
export function checkRowBatchSizes(batchSizes: readonly number[], otherwise: string): void {
  if (batchSizes.includes(1)) {
    throw new UsageError(`--batch-size 1: the MLP's BatchNorm normalises each training batch by its own mean and variance, which one row cannot give; use batches of 2 rows or more (32 or more is usual)${otherwise}`);
  }
}
