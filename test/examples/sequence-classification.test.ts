/**
 * The sequence-classification example (examples/sequence-classification.ts): a generated long CSV of
 * labelled recordings read with readCsv's group and labels, split by recording, windowed and trained;
 * each recording keeps its rows and its label, no recording has windows on both sides, and a few
 * epochs classify the held-out recordings far better than chance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data } from 'keel';
import { classifySequences, writeRecordings } from '../../examples/sequence-classification.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-seq-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sequence-classification example', () => {
  const file = join(dir, 'recordings.csv');
  writeRecordings(file, 90);

  it('reads each recording as one unit with its label and its rows in time order', async () => {
    const table = await data.readCsv(file, { group: 'id', time: 't', labels: 'activity' });
    expect(table.units).toHaveLength(90);
    expect(table.columns).toEqual(['ax', 'ay', 'az']);
    expect(table.units.slice(0, 4).map((u) => u.label)).toEqual(['walk', 'run', 'sit', 'walk']);
    for (const u of table.units) expect(u.values.shape[0]).toBeGreaterThanOrEqual(40);
  });

  it('splits by recording and classifies the held-out ones well above chance', async () => {
    const r = await classifySequences(file, { epochs: 8, verbose: false });
    expect(r.labels).toEqual(['run', 'sit', 'walk']);
    expect([r.trainRecordings, r.validationRecordings]).toEqual([72, 18]);
    expect(r.recordingAccuracy).toBeGreaterThan(0.6); // chance is 1/3
  }, 60_000);
});
