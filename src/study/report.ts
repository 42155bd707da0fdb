/**
 * The regularisation study as a table and a report: one column list gives the terminal table, the
 * report's results.md / index.html table and the keys of `keel demo --json` (the JSON the issue fixes:
 * name, bestValRmse, bestEpoch, divergenceEpoch, trainValGap, testRmse, phm08, seconds, samplesPerSecond).
 */
import type { ReportColumn, ReportTable, StudyReport } from '../report/study.js';
import { studyReading } from './reading.js';
import type { RegularisationStudy, VariantResult } from './regularisation.js';

export const STUDY_COLUMNS: readonly (ReportColumn & { key: keyof VariantResult })[] = [
  { key: 'name', label: 'Variant' },
  { key: 'bestValRmse', label: 'Best val RMSE', digits: 2 },
  { key: 'bestEpoch', label: 'Best epoch' },
  { key: 'divergenceEpoch', label: 'Divergence epoch' },
  { key: 'trainValGap', label: 'Final val − train RMSE', digits: 2 },
  { key: 'testRmse', label: 'Test RMSE', digits: 2, missing: '—' },
  { key: 'phm08', label: 'PHM08', digits: 0, missing: '—' },
  { key: 'seconds', label: 'Time', unit: 's', digits: 1 },
  { key: 'samplesPerSecond', label: 'Samples/s', digits: 0 },
];

/** The JSON row of one variant: exactly the table's keys. */
export function studyRow(v: VariantResult): Record<string, number | string | null> {
  return Object.fromEntries(STUDY_COLUMNS.map((c) => [c.key, v[c.key] as number | string | null]));
}

export function studyTable(study: RegularisationStudy): ReportTable {
  return { columns: [...STUDY_COLUMNS], rows: study.variants.map(studyRow) };
}

/** The report of a study; `summary` adds lines about the run (backend, machine, time). */
export function studyReport(study: RegularisationStudy, summary: string[]): StudyReport {
  return {
    title: 'keel demo: what BatchNorm, Dropout and weight decay do to overfitting',
    summary: [
      `${study.data}: ${study.engines.fit} units to fit (${study.windows.fit} windows of ${study.window} cycles), ` +
        `${study.engines.validation} to validate (${study.windows.validation} windows), ` +
        `${study.engines.test > 0 ? `${study.engines.test} test units scored on their last window` : 'no test units (no test RMSE or PHM08)'}; split by unit with seed ${study.seed}.`,
      `Conv1d backbone (DESIGN.md §1), ${study.epochs} epochs; every variant starts from the same weights and sees the same batches. RMSE and PHM08 in cycles of remaining useful life.`,
      ...(study.bnVirtualBatchSize !== null ? [`The BatchNorm variants normalise ghost batches of ${study.bnVirtualBatchSize} samples in training (BatchNorm1d's virtualBatchSize), not the whole batch as PyTorch's BatchNorm1d does.`] : []),
      ...summary,
    ],
    yLabel: 'RMSE (cycles)',
    runs: study.variants.map((v) => ({
      name: v.name, label: v.label, train: v.trainRmse, validation: v.valRmse,
      bestEpoch: v.bestEpoch, divergenceEpoch: v.divergenceEpoch,
      ...(v.epochs < study.epochs ? { stoppedEpoch: v.epochs } : {}),
    })),
    table: studyTable(study),
    findings: studyReading(study),
    notes: [
      'Training RMSE is the mean over each epoch\'s batches in training mode (dropout on, BatchNorm on batch statistics); validation RMSE is measured after the epoch in eval mode.',
      'Best val RMSE: each variant\'s lowest validation RMSE over its epochs, so every variant, the unregularised one included, is compared at its own best epoch: early stopping in effect. Test RMSE and PHM08 use the weights each run ends with.',
      'Divergence epoch: where the smoothed validation loss reaches its minimum and then stays above it (by 1% and twice its noise) to the end, for at least 3 epochs and at least as long as the rise took to appear, while training loss keeps falling (History.divergenceEpoch). Read from curves averaged over 3 epochs, it can fall an epoch before the best epoch.',
      'Final val − train RMSE: both measured on the final weights in eval mode (the recipe\'s are its best epoch\'s, restored by early stopping).',
      'PHM08: Σ exp(−d/13) − 1 for early predictions (d < 0), Σ exp(d/10) − 1 for late ones, d = predicted − true RUL; lower is better.',
    ],
  };
}
