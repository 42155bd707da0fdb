/**
 * What one run of the regularisation study shows, in sentences computed from its results: which
 * regularisers beat the unregularised run at their best epochs, which beat it with the weights the
 * runs end with (on the test engines, when there are any), whether the unregularised run diverges, and how each changes
 * the generalisation gap. `keel demo` prints these lines under its table and the report shows them
 * ("What this run shows"), so a reader gets the verdict of this seed, not the textbook's; the last
 * line says where the picture over many seeds is.
 */
import type { RegularisationStudy, VariantResult } from './regularisation.js';

/** "a", "a and b", "a, b and c". */
function listing(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Two decimals, or as many more (up to 6) as it takes to tell `v` from a different `from`. */
function digits(v: number, from: number): string {
  for (let d = 2; d <= 6; d++) if (v.toFixed(d) !== from.toFixed(d)) return v.toFixed(d);
  return v.toFixed(2);
}

/**
 * "x (1.23) beats it; y (…) ties; z (…) and w (…) do not": the others against `base` by `key`, lower
 * is better (NaN, a run that diverged to it, does not beat anything).
 */
function verdict(others: readonly VariantResult[], base: VariantResult, key: 'bestValRmse' | 'testRmse'): string {
  const score = (v: VariantResult) => v[key] ?? NaN;
  const show = (v: VariantResult) => `${v.name} (${digits(score(v), score(base))})`;
  const groups: Array<[string, string, VariantResult[]]> = [
    ['beats it', 'beat it', others.filter((v) => score(v) < score(base))],
    ['ties', 'tie', others.filter((v) => score(v) === score(base))],
    ['does not', 'do not', others.filter((v) => !(score(v) <= score(base)))],
  ];
  return groups
    .filter(([, , vs]) => vs.length > 0)
    .map(([one, many, vs]) => `${listing(vs.map(show))} ${vs.length === 1 ? one : many}`)
    .join('; ');
}

/** The study's reading, one sentence per line; [] when the unregularised variant was not trained. */
export function studyReading(study: RegularisationStudy): string[] {
  const none = study.variants.find((v) => v.name === 'none');
  if (!none) return [];
  const others = study.variants.filter((v) => v !== none);
  const lines: string[] = [];
  if (others.length > 0) {
    lines.push(`At each run's best epoch, no regularisation reaches a validation RMSE of ${none.bestValRmse.toFixed(2)} (epoch ${none.bestEpoch}): ${verdict(others, none, 'bestValRmse')}.`);
    if (none.testRmse !== null) lines.push(`With the weights each run ends with, on the ${study.engines.test} test units no regularisation scores ${none.testRmse.toFixed(2)}: ${verdict(others, none, 'testRmse')}.`);
  }
  lines.push(none.divergenceEpoch !== null
    ? `Without regularisation, validation loss turns upward for good from epoch ${none.divergenceEpoch} while training loss keeps falling: the onset of overfitting.`
    : `Without regularisation, validation loss does not turn upward for good within ${study.epochs} epochs while training loss falls: no divergence epoch.`);
  if (others.length > 0) {
    const gap = (v: VariantResult) => `${v.name} (${v.trainValGap.toFixed(2)})`;
    // A gap is validation minus training RMSE and can be negative (dropout raises the training curve):
    // narrower and wider are about its size, so -1.64 is narrower than -1.65, not wider.
    const size = (v: VariantResult) => Math.abs(v.trainValGap);
    const narrower = others.filter((v) => size(v) < size(none)), wider = others.filter((v) => !(size(v) < size(none)));
    const below = none.trainValGap < 0 ? ' (validation below training)' : '';
    lines.push(`The final gap between validation and training RMSE is ${none.trainValGap.toFixed(2)} without regularisation${below}` +
      `${narrower.length ? `; narrower with ${listing(narrower.map(gap))}` : ''}${wider.length ? `; as wide or wider with ${listing(wider.map(gap))}` : ''}.`);
  }
  lines.push("One seed is one draw: keel demo --seed N draws others; keel's repository counts the wins over many seeds and explains them in docs/regularisation-study.md.");
  return lines;
}
