// studyReading: the sentences `keel demo` prints under its table and the report shows as "What this
// run shows", computed from constructed results — wins, ties and losses at the best epoch and on the
// test engines, a divergence epoch or none, narrower and wider gaps, and no reading without `none`.
import { describe, expect, it } from 'vitest';
import { studyReading } from '../../src/study/reading.js';
import type { RegularisationStudy, VariantResult } from '../../src/study/regularisation.js';
import type { StudyVariantName } from '../../src/study/variants.js';

function variant(name: StudyVariantName, bestValRmse: number, testRmse: number | null, trainValGap: number, divergenceEpoch: number | null = null): VariantResult {
  return {
    name, label: name, bestValRmse, bestEpoch: 3, divergenceEpoch, trainValGap, testRmse, phm08: 1000, seconds: 1, samplesPerSecond: 1000,
    epochs: 10, trainRmse: [], valRmse: [],
  };
}

function study(...variants: VariantResult[]): RegularisationStudy {
  return { seed: 0, epochs: 10, data: 'Run-to-failure data', window: 30, bnVirtualBatchSize: null, engines: { fit: 12, validation: 8, test: 100 }, windows: { fit: 2000, validation: 1000 }, variants };
}

describe('studyReading', () => {
  it('names who beats, ties and loses to no regularisation, at the best epoch and on the test engines', () => {
    const lines = studyReading(study(
      variant('none', 15, 25, 6, 4),
      variant('l2', 14.5, 25, 5),
      variant('dropout', 15, 24, 3),
      variant('batchnorm', 17.25, 26.5, 9),
      variant('recipe', 13, 23, 6),
    ));
    expect(lines).toEqual([
      "At each run's best epoch, no regularisation reaches a validation RMSE of 15.00 (epoch 3): l2 (14.50) and recipe (13.00) beat it; dropout (15.00) ties; batchnorm (17.25) does not.",
      'With the weights each run ends with, on the 100 test units no regularisation scores 25.00: dropout (24.00) and recipe (23.00) beat it; l2 (25.00) ties; batchnorm (26.50) does not.',
      'Without regularisation, validation loss turns upward for good from epoch 4 while training loss keeps falling: the onset of overfitting.',
      'The final gap between validation and training RMSE is 6.00 without regularisation; narrower with l2 (5.00) and dropout (3.00); as wide or wider with batchnorm (9.00) and recipe (6.00).',
      expect.stringMatching(/^One seed is one draw: .*docs\/regularisation-study\.md/),
    ]);
  });

  it('shows the digits that tell a near tie apart, and says when none diverges', () => {
    const lines = studyReading(study(variant('none', 12.781, 23.78, 7.1), variant('l2', 12.7751, 23.7849, 7.02)));
    expect(lines[0]).toBe("At each run's best epoch, no regularisation reaches a validation RMSE of 12.78 (epoch 3): l2 (12.775) beats it.");
    expect(lines[1]).toBe('With the weights each run ends with, on the 100 test units no regularisation scores 23.78: l2 (23.785) does not.');
    expect(lines[2]).toBe('Without regularisation, validation loss does not turn upward for good within 10 epochs while training loss falls: no divergence epoch.');
  });

  it('without test units (keel demo --data without --test): no test line', () => {
    const lines = studyReading(study(variant('none', 15, null, 6, 4), variant('l2', 14, null, 5)));
    expect(lines).toHaveLength(4);
    expect(lines.some((l) => l.includes('test'))).toBe(false);
    expect(lines[0]).toContain('l2 (14.00) beats it');
  });

  it('compares gaps by size, so a negative gap closer to zero is narrower', () => {
    const lines = studyReading(study(variant('none', 15, 25, -1.65), variant('l2', 15, 25, -1.64), variant('dropout', 15, 25, 2)));
    expect(lines[3]).toBe('The final gap between validation and training RMSE is -1.65 without regularisation (validation below training); narrower with l2 (-1.64); as wide or wider with dropout (2.00).');
  });

  it('with none alone: only the divergence and where the many-seed picture is', () => {
    expect(studyReading(study(variant('none', 15, 25, 6)))).toHaveLength(2);
  });

  it('without none there is nothing to compare against: no reading', () => {
    expect(studyReading(study(variant('dropout', 15, 25, 6), variant('l2', 14, 24, 5)))).toEqual([]);
  });
});
