// keel eval and keel predict warn, on stderr, when the data lies far from the model's training data
// (a channel's mean |z| above 10 under the training statistics: another sensor, another unit), and
// stay quiet on data like the training data. The numbers are printed either way.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runToFailure } from '../../src/datasets/run-to-failure.js';
import { run, tempDir, trainSmallModel } from './io.js';

/** The built-in test engines as a CSV with a header (unit, cycle, s1…s21), sensor `shifted` moved by `by`. */
function engines(file: string, shifted: string | null, by: number): string {
  const test = runToFailure({ seed: 0, testUnits: 3 }).test;
  const lines = [`unit,cycle,${test.columns.join(',')}`];
  test.units.forEach((unit, u) => {
    const [T, C] = unit.values.shape as [number, number];
    for (let t = 0; t < T; t++) {
      const row = Array.from({ length: C }, (_, c) => unit.values.data[t * C + c]! + (test.columns[c] === shifted ? by : 0));
      lines.push(`${u + 1},${t + 1},${row.join(',')}`);
    }
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('data far from the training data', () => {
  let model: string, dir: string;
  beforeAll(async () => {
    model = await trainSmallModel();
    dir = tempDir();
  }, 60_000);

  it('keel predict and keel eval name the far channel and still print their results', async () => {
    const far = engines(join(dir, 'kelvin.csv'), 's2', 273.15); // s2's spread is about 0.5
    const p = await run('predict', '--model', model, '--data', `csv:${far}`, '--last');
    expect(p.status).toBe(0);
    expect(p.stderr).toMatch(/keel predict: warning: the data is far from the model's training data: mean \|z\| s2 \(\d+\.?\d*\)/);
    expect(p.stderr).toContain('are these the same sensors, in the same units?');
    expect(p.stdout.trim().split('\n')).toHaveLength(4); // header + 3 units
    const e = await run('eval', '--model', model, '--data', `csv:${far}`, '--json');
    expect(e.status).toBe(0);
    expect(e.stderr).toMatch(/keel eval: warning: .* s2 \(/);
  });

  it('is quiet on data like the training data', async () => {
    const near = engines(join(dir, 'same.csv'), null, 0);
    const p = await run('predict', '--model', model, '--data', `csv:${near}`, '--last');
    expect(p.status).toBe(0);
    expect(p.stderr).not.toContain('warning');
  });
});
