/**
 * Classifying whole multichannel sequences with the Conv1d backbone, through the API: a long CSV of
 * one row per time step (id, t, three accelerometer-like channels, the activity repeated on each of a
 * recording's rows) read with readCsv's `group` and `labels` (each recording one unit with its
 * label), the recordings split 80/20 BY RECORDING, the scaler fitted on the training recordings only,
 * each recording cut into windows that learn its label, the backbone trained with cross-entropy, and
 * each validation recording predicted by the mean of its windows' probabilities. It is what
 * `keel train --data csv:FILE --target activity --unit-column id --time-column t --window 32` does.
 *
 *   npx tsx examples/sequence-classification.ts [file.csv] [epochs]   (default: a generated file, 15)
 *
 * Without a file it writes one: 150 recordings of 40–70 steps of three activities (walking, running:
 * a slow and a fast oscillation; sitting: none) with noise and a different sensor offset per recording.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { data, F, fit, type FitHistory, manualSeed, nn, predict, Tensor } from 'keel';

const WINDOW = 32;
const ACTIVITIES = ['walk', 'run', 'sit'] as const;

/** A seeded uniform draw in [0, 1) (mulberry32), so the generated file is the same everywhere. */
function uniform(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `recordings` recordings in the long layout: id,t,ax,ay,az,activity. */
export function writeRecordings(path: string, recordings = 150, seed = 0): void {
  const u = uniform(seed);
  const lines = ['id,t,ax,ay,az,activity'];
  for (let r = 0; r < recordings; r++) {
    const activity = r % 3, steps = 40 + Math.floor(u() * 31), phase = 6.28 * u(), offset = u() - 0.5;
    const freq = [0.3, 0.55, 0][activity]!;
    for (let t = 0; t < steps; t++) {
      const noise = () => 1.6 * (u() - 0.5);
      const swing = activity === 2 ? 0 : Math.sin(freq * t + phase);
      lines.push(`rec${r},${t},${(swing + offset + noise()).toFixed(4)},${(0.5 * swing + noise()).toFixed(4)},${(9.8 + offset + noise()).toFixed(4)},${ACTIVITIES[activity]}`);
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export interface SequenceExampleResult {
  history: FitHistory;
  labels: string[];
  trainRecordings: number;
  validationRecordings: number;
  /** Share of validation recordings whose mean window probabilities pick their label. */
  recordingAccuracy: number;
}

export async function classifySequences(file: string, options: { epochs?: number; verbose?: 'auto' | false } = {}): Promise<SequenceExampleResult> {
  // One unit per recording, its rows in time order, its activity as the unit's label.
  const table = await data.readCsv(file, { group: 'id', time: 't', labels: 'activity' });
  const labels = [...new Set(table.units.map((u) => u.label!))].sort();
  const [train, validation] = data.groupSplit(table, [0.8, 0.2], 0) as [data.SeriesTable, data.SeriesTable];
  const scaler = new data.Standardizer().fit(train);
  // Windows of 32 steps every 16, each learning its recording's label (a class index).
  const windows = (t: data.SeriesTable) => {
    const w = data.slidingWindows(scaler.transform(t), { window: WINDOW, stride: WINDOW / 2 });
    const y = new Tensor(Float32Array.from(w.groups, (g) => labels.indexOf(t.units[g]!.label!)), [w.groups.length]);
    return { x: w.x, y, groups: w.groups };
  };
  const tw = windows(train), vw = windows(validation);
  manualSeed(0);
  const model = nn.conv1dBackbone({ inChannels: table.columns.length, window: WINDOW, outputs: labels.length });
  const history = await fit(model, {
    x: tw.x, y: tw.y, validationData: { x: vw.x, y: vw.y },
    loss: 'crossEntropy', metrics: ['accuracy'],
    epochs: options.epochs ?? 15, batchSize: 64,
    earlyStopping: { patience: 5, restoreBestWeights: true },
    verbose: options.verbose ?? 'auto',
  });
  // A recording's prediction: the mean of its windows' probabilities.
  const p = F.softmax(await predict(model, vw.x), 1).data, k = labels.length;
  const mean = validation.units.map(() => new Float64Array(k)), count = new Float64Array(validation.units.length);
  vw.groups.forEach((g, n) => {
    count[g]!++;
    for (let j = 0; j < k; j++) mean[g]![j]! += p[n * k + j]!;
  });
  const right = validation.units.filter((unit, g) => {
    const m = Array.from(mean[g]!, (v) => v / count[g]!);
    return labels[m.indexOf(Math.max(...m))] === unit.label;
  }).length;
  return { history, labels, trainRecordings: train.units.length, validationRecordings: validation.units.length, recordingAccuracy: right / validation.units.length };
}

async function main(): Promise<void> {
  let file = process.argv[2];
  if (!file) {
    file = join(mkdtempSync(join(tmpdir(), 'keel-seq-')), 'recordings.csv');
    writeRecordings(file);
    console.log(`no file given: wrote 150 generated recordings to ${file}`);
  }
  const r = await classifySequences(file, { epochs: Number(process.argv[3] ?? 15) });
  console.log(`${r.trainRecordings} recordings for training, ${r.validationRecordings} for validation; labels ${r.labels.join(', ')}`);
  console.log(`validation accuracy per recording (mean of its windows' probabilities): ${r.recordingAccuracy.toFixed(3)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
