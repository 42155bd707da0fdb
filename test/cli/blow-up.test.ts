// keel train on a run that blows up (sgd at lr 50 on a small table): a validation loss that turns
// Infinity ends the run through early stopping's checkFinite, and the report says the run blew up
// rather than calling it an ordinary early stop with "no divergence epoch"; a training loss that turns
// Infinity rejects fit, and keel still writes the model and report of the completed epochs, as after
// Ctrl-C, then exits 1 with fit's error.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from './io.js';

/** A deterministic value in [−1, 1) for (row, column). */
const u = (i: number, k: number): number => {
  const s = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return 2 * (s - Math.floor(s)) - 1;
};

let file: string;
beforeAll(() => {
  file = join(tempDir(), 'small.csv');
  const rows = Array.from({ length: 60 }, (_, i) => [u(i, 1), u(i, 2), 2 * u(i, 1) - 3 * u(i, 2) + 0.1 * u(i, 3)].map((v) => v.toFixed(4)).join(','));
  writeFileSync(file, `a,b,y\n${rows.join('\n')}\n`);
});

/** keel train at lr 50 (it blows up by epoch 3) into a new folder, with `extra` flags. */
async function blowUp(...extra: string[]) {
  const dir = join(tempDir(), 'model');
  const r = await run('train', '--data', `csv:${file}`, '--target', 'y', '--epochs', '15', '--lr', '50', '--no-batchnorm', '--optimizer', 'sgd', '--threads', '1', '--out', dir, ...extra);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { ...r, dir, read };
}

describe('a run whose loss is not finite', () => {
  it('a non-finite validation loss is reported as a blow-up, not as early stopping', async () => {
    const r = await blowUp('--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).stopped).toBe('nonFinite');
    const md = r.read('results.md');
    expect(md).toContain('The validation loss was not finite after epoch 2: training blew up');
    expect(md).not.toContain('no divergence epoch');
    expect(md).not.toContain('Early stopping ended the run');
    expect(md).toContain('(stopped: the loss was not finite)');
    const svg = r.read('curves-mlp.svg');
    expect(svg).toContain('A non-finite loss (training blew up) ended training at epoch 2');
    expect(svg).toMatch(/<g class="marker-non-finite" data-epoch="2">/);
  }, 60000);

  it('a non-finite training loss keeps the completed epochs, then exits 1 with the error', async () => {
    const r = await blowUp('--early-stopping', '0');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/keel train: NonFiniteLossError: fit: the training loss is Infinity at epoch 3, batch 1/);
    for (const name of ['model.json', 'model.safetensors', 'index.html', 'results.json', 'results.md']) expect(existsSync(join(r.dir, name)), name).toBe(true);
    const results = JSON.parse(r.read('results.json'));
    expect(results.runs[0].validation).toHaveLength(2);
    expect(results.runs[0].stoppedBy).toBe('A non-finite loss (training blew up)');
    const md = r.read('results.md');
    expect(md).toContain('The training loss was not finite in epoch 3: training blew up');
    expect(md).toContain('those of the last finite step, before the batch whose training loss was not finite)');
    expect(r.stdout).toContain('Report: ');
  }, 60000);
});
