/**
 * keel's `data` namespace, as torch.utils.data plus what time-series work needs: the Dataset protocol
 * (length, get(i), optional batched getBatch(indices)), TensorDataset, Subset, a DataLoader with a
 * seeded per-epoch shuffle that is a pure function of (seed, epoch), dropLast and the merge of a short
 * last batch, and randomSplit for i.i.d. rows; for data by unit (engines, machines): tables of series
 * (SeriesTable), RUL targets, sliding windows (cut per batch by a WindowDataset), splits by unit that never leak a unit across sides
 * (groupSplit, groupKFold), per-channel scalers fitted on training units only (per operating condition
 * with OperatingConditions), and the CSV and IDX
 * loaders.
 *
 *   const [trainUnits, valUnits] = data.groupSplit(table, [0.8, 0.2], 0);
 *   const scaler = new data.Standardizer().fit(trainUnits);
 *   const windows = data.slidingWindows(scaler.transform(trainUnits), { window: 30, targets: 'rul' });
 *   const loader = new data.DataLoader(windows.toDataset(), { batchSize: 64, shuffle: true, seed: 0 });
 *
 * @module
 */
export { isDataset, Subset, TensorDataset } from './dataset.js';
export type { Dataset } from './dataset.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions } from './dataloader.js';
export { randomSplit } from './split.js';
export type { SeriesTable, UnitSeries } from './series.js';
export { rulTargets, type RulTargetsOptions } from './rul.js';
export { slidingWindows, type SlidingWindowsOptions, type Windows } from './windows.js';
export { WindowDataset, type WindowLayout } from './window-dataset.js';
export { groupKFold, groupSplit, type GroupFold, type GroupKFoldOptions, type Groups } from './group-split.js';
export { Standardizer, type StandardizerJSON, type StandardizerOptions } from './scalers/standardizer.js';
export { standardizeEach } from './scalers/standardize-each.js';
export { MAX_CONDITIONS, OperatingConditions, type OperatingConditionsJSON, type OperatingConditionsOptions } from './operating-conditions.js';
export { MinMaxScaler, type MinMaxScalerJSON, type MinMaxScalerOptions } from './scalers/min-max.js';
export type { ScaleOptions, ScalerData, ScalerJSONBase, ScalerOptions } from './scalers/scaler.js';
export { CsvError, parseCsv, readCsv } from './csv.js';
export type { ColumnRef, CsvOptions, CsvTable } from './csv.js';
export { parseTs, readTs, TsError } from './ts-file.js';
export type { TsTable, TsTarget } from './ts-file.js';
export { decodeIdx, IdxError, readIdx, readIdxArray } from './idx.js';
export type { IdxArray, IdxOptions, IdxType } from './idx.js';
