// keel train on labelled sequences cuts each batch's windows as the batch is drawn (WindowDataset),
// as it does for run-to-failure units, and so do keel eval and predict of the model: at --stride 1
// holding every window would take `window` times the table. Here 60 sequences of 2,000 steps × 4
// channels (a 4 MB table) at --window 1000 --stride 1 make 60,060 windows, 961 MB as one tensor; the
// three commands, run one after another in a process of their own (its peak resident memory is
// theirs), must stay far below that: 285 MB, against 2,086 MB when training held the windows and
// 1,103 MB when only eval and predict did (AMD EPYC Zen 5). A small model (--model-config) keeps it quick.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { tempDir } from './io.js';

const SEQUENCES = 60, STEPS = 2000, WINDOW = 1000;

describe('keel train, eval and predict on labelled sequences at --stride 1', () => {
  it('train, then eval and predict of the model, without holding every window', { timeout: 120_000 }, () => {
    const dir = tempDir();
    const rows = ['id,t,a,b,c,d,label'];
    for (let s = 0; s < SEQUENCES; s++) {
      for (let t = 0; t < STEPS; t++) rows.push(`${s},${t},${Math.sin(t / (s % 3 + 2)).toFixed(3)},${(s % 3) - 1},${(t % 7) / 7},${Math.cos(t * s).toFixed(3)},${'xyz'[s % 3]}`);
    }
    writeFileSync(join(dir, 'seq.csv'), `${rows.join('\n')}\n`);
    const arch = new nn.Sequential(new nn.Conv1d(4, 2, 1), new nn.ReLU(), new nn.AdaptiveAvgPool1d(1), new nn.Flatten(), new nn.Linear(2, 3));
    writeFileSync(join(dir, 'arch.json'), JSON.stringify(arch.toJSON()));
    const argv = ['train', '--data', `csv:${join(dir, 'seq.csv')}`, '--target', 'label', '--unit-column', 'id', '--time-column', 't',
      '--window', String(WINDOW), '--stride', '1', '--model-config', join(dir, 'arch.json'), '--epochs', '1', '--batch-size', '512', '--out', join(dir, 'm')];
    const data = ['--model', join(dir, 'm'), '--data', `csv:${join(dir, 'seq.csv')}`];
    const runs = [argv, ['eval', ...data], ['predict', ...data, '--out', join(dir, 'p.csv')]];
    const script = `import { runCli } from './src/cli/main.ts';
for (const argv of ${JSON.stringify(runs)}) {
  const status = await runCli(argv, { out: process.stdout, err: process.stderr });
  if (status !== 0) process.exit(status);
}
process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/48 sequences \(48048 windows\) to fit, 12 \(12012\) to validate/);
    expect(r.stdout).toMatch(/^accuracy /m);
    expect(readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n')).toHaveLength(SEQUENCES + 1);
    const peakMB = Number(/maxRSS (\d+)/.exec(r.stderr)![1]) / 1024;
    expect(peakMB).toBeLessThan(600);
  });
});
