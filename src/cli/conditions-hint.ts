/**
 * keel train's hint that the units were recorded under operating conditions it was not told of: NASA's
 * FD002 and FD004 read without --conditions give a validation RMSE about a fifth worse (README). A
 * column looks like an operating setting when its values fall into a few levels (OperatingConditions'
 * rule, 2 … MAX_LEVELS) that account for nearly all the variance of the other columns — each level
 * shifts every sensor, far more than wear does. FD002's altitude: 6 levels, 99% of the variance; in
 * FD001 the columns with a few levels (a sensor read in whole numbers, one that reads 21.60 or 21.61)
 * account for 14% or less. The first SAMPLE_ROWS rows are read, so the hint costs little on big files.
 */
import { settingLevels } from '../data/operating-conditions.js';
import type { SeriesTable } from '../data/series.js';

/** More levels than this is not a setting the hint names (C-MAPSS has 6 conditions). */
const MAX_LEVELS = 20;
/** The mean share of the other columns' variance the levels must account for. */
const EXPLAINED = 0.9;
const SAMPLE_ROWS = 50_000;

/** The hint, or null when no column looks like an operating setting. */
export function conditionsHint(table: SeriesTable): string | null {
  const C = table.columns.length;
  const n = Math.min(SAMPLE_ROWS, table.units.reduce((sum, u) => sum + u.values.shape[0]!, 0));
  const columns = table.columns.map(() => new Float64Array(n));
  let row = 0;
  for (const unit of table.units) {
    const x = unit.values.data;
    for (let t = 0; row < n && t < unit.values.shape[0]!; t++, row++) for (let c = 0; c < C; c++) columns[c]![row] = x[t * C + c]!;
  }
  const found: { name: string; levels: number; share: number }[] = [];
  for (let j = 0; j < C; j++) {
    const setting = settingLevels(columns[j]!, MAX_LEVELS);
    if (!setting) continue;
    const { levels, labels } = setting;
    const shares: number[] = [];
    for (let c = 0; c < C; c++) {
      const share = c === j ? null : explained(columns[c]!, labels, levels);
      if (share !== null) shares.push(share);
    }
    const share = shares.reduce((a, b) => a + b, 0) / shares.length;
    if (shares.length > 0 && share >= EXPLAINED) found.push({ name: table.columns[j]!, levels, share });
  }
  if (found.length === 0) return null;
  const shown = found.slice(0, 4).map((f) => `${f.name}: ${f.levels} levels, ${Math.floor(100 * f.share)}%`).join('; ');
  const list = found.length > 4 ? `${shown}; and ${found.length - 4} more` : shown;
  const what = found.length === 1 ? 'a column takes' : `${found.length} columns take`;
  return `${what} a few levels that account for nearly all the variance of the other columns (${list}): the units look recorded under operating conditions. If columns among them are operating settings (C-MAPSS FD002 and FD004: 2,3,4), pass them as --conditions to standardise every channel per condition`;
}

/** The share of x's variance its level means account for (1 − within / total), or null for a constant x. */
function explained(x: Float64Array, labels: Int32Array, levels: number): number | null {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  const sum = new Float64Array(levels), count = new Float64Array(levels);
  for (let i = 0; i < x.length; i++) (sum[labels[i]!]! += x[i]!, count[labels[i]!]! += 1);
  let total = 0, within = 0;
  for (let i = 0; i < x.length; i++) {
    total += (x[i]! - mean) ** 2;
    within += (x[i]! - sum[labels[i]!]! / count[labels[i]!]!) ** 2;
  }
  return total > 0 ? 1 - within / total : null;
}
