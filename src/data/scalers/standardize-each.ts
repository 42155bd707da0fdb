/**
 * standardizeEach: every unit's channels standardised with that unit's own statistics,
 *
 *   z_t,c = (x_t,c − mean_c) / std_c   over the unit's T rows (population std; a constant channel → 0),
 *
 * the z-normalisation of each series that the UCR archive applies to its data and that time-series
 * classifiers assume: what is learnt is a series' shape, not its level or amplitude, which can
 * differ between recordings by orders of magnitude (PLAID's appliance currents). Nothing is fitted,
 * so new data is normalised the same way with nothing to keep. Each unit goes through a Standardizer
 * of its own, so the arithmetic is Standardizer's.
 */
import type { SeriesTable } from '../series.js';
import { Standardizer } from './standardizer.js';

/** The table with each unit's (T, C) values standardised per channel by the unit's own mean and std. */
export function standardizeEach(table: SeriesTable): SeriesTable {
  return { columns: table.columns, units: table.units.map((u) => ({ ...u, values: new Standardizer().fit(u.values).transform(u.values) })) };
}
