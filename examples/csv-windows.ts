/**
 * From a file of run-to-failure records to a trained model: read a whitespace-separated file laid out
 * like NASA C-MAPSS's train_FD001.txt (unit, cycle, 3 settings, 21 sensors per row; no header) with
 * readCsv, split the engines 80/20 BY UNIT (windows of one engine never on both sides), fit the
 * scaler on the training engines only, cut 30-cycle windows with capped RUL targets, and train the
 * Conv1d backbone with fit.
 *
 *   npx tsx examples/csv-windows.ts [file] [epochs]        (defaults: the built-in data, 20; '' as file
 *                                                           picks the built-in data with an epoch count)
 *
 * Without a file it writes the built-in dataset (datasets.runToFailure) in that layout to a temporary
 * file first, so it runs anywhere; with the real train_FD001.txt it trains on NASA's data.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { data, datasets, fit, type FitHistory, manualSeed, nn, optim } from 'keel';

/** C-MAPSS columns (0-based) of the 14 informative sensors s2 s3 s4 s7 s8 s9 s11 s12 s13 s14 s15 s17 s20 s21 (sensor k is column 4 + k). */
const SENSOR_COLUMNS = [2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21].map((k) => 4 + k);
const WINDOW = 30;

/** Writes a table in C-MAPSS's layout: unit, cycle, three settings (FD001's single condition), 21 sensors. */
export function writeCmapss(table: data.SeriesTable, path: string): void {
  const lines: string[] = [];
  table.units.forEach((unit, u) => {
    const [T, C] = unit.values.shape as [number, number];
    for (let t = 0; t < T; t++) {
      const sensors = Array.from(unit.values.data.subarray(t * C, (t + 1) * C), (v) => v.toFixed(4));
      lines.push(`${u + 1} ${t + 1} 0.0000 0.0000 100.0 ${sensors.join(' ')}  `);
    }
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export interface CsvExampleResult {
  history: FitHistory;
  /** Engines on each side of the split. */
  trainUnits: number;
  validationUnits: number;
  /** Windows on each side. */
  trainWindows: number;
  validationWindows: number;
}

export async function trainFromCsv(file: string, options: { epochs?: number; verbose?: 'auto' | false } = {}): Promise<CsvExampleResult> {
  const table = await data.readCsv(file, { delimiter: 'whitespace', header: false, group: 0, time: 1, columns: SENSOR_COLUMNS });
  const [train, validation] = data.groupSplit(table, [0.8, 0.2], 0) as [data.SeriesTable, data.SeriesTable];
  const scaler = new data.Standardizer().fit(train);
  const windows = (t: data.SeriesTable) => data.slidingWindows(scaler.transform(t), { window: WINDOW, targets: 'rul' });
  const tw = windows(train), vw = windows(validation);
  manualSeed(0);
  const model = nn.conv1dBackbone({ inChannels: SENSOR_COLUMNS.length, window: WINDOW });
  const history = await fit(model, {
    x: tw.x, y: tw.y, validationData: { x: vw.x, y: vw.y },
    epochs: options.epochs ?? 20, batchSize: 128,
    optimizer: (params) => new optim.Adam(params, { lr: 3e-3 }),
    metrics: ['rmse'],
    earlyStopping: { patience: 5, restoreBestWeights: true },
    verbose: options.verbose ?? 'auto',
  });
  return { history, trainUnits: train.units.length, validationUnits: validation.units.length, trainWindows: tw.x.shape[0]!, validationWindows: vw.x.shape[0]! };
}

async function main(): Promise<void> {
  let file = process.argv[2];
  if (!file) {
    file = join(mkdtempSync(join(tmpdir(), 'keel-csv-')), 'train_synthetic.txt');
    writeCmapss(datasets.runToFailure({ seed: 0 }).train, file);
    console.log(`no file given: wrote the built-in run-to-failure data in C-MAPSS layout to ${file}`);
  }
  const r = await trainFromCsv(file, { epochs: Number(process.argv[3] ?? 20) });
  const best = r.history.bestEpoch!;
  console.log(`${r.trainUnits} engines (${r.trainWindows} windows) for training, ${r.validationUnits} others (${r.validationWindows} windows) for validation`);
  console.log(`best epoch ${best}: validation RMSE ${r.history.values('valRmse')[best - 1]!.toFixed(2)} cycles`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
