// Ctrl-C and SIGTERM, sent to a real `keel` process: train stops after the current batch and still
// writes the model and report of the completed epochs (status 130); tune keeps its finished trials
// in the results file and writes the best so far (status 143 for SIGTERM).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSync } from '../../src/io/save.js';
import { fromJSON } from '../../src/nn/serialize.js';
import { interrupted, tempDir } from './io.js';

describe('interrupting keel', () => {
  it('train: SIGINT writes the model and report of the completed epochs, status 130', async () => {
    const dir = join(tempDir(), 'm');
    const r = await interrupted(['train', '--data', 'runtofailure', '--units', '6', '--epochs', '100000', '--early-stopping', '0', '--out', dir], /epoch 3\//, 'SIGINT');
    expect(r.status, r.stderr).toBe(130);
    expect(r.stderr).toContain('keel train: SIGINT — stopping after the current batch and keeping the completed epochs');
    expect(r.stderr).toMatch(/keel train: the training state after epoch \d+ is in .*backup\.safetensors: the same command with --resume goes on from there/);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    const epochs = results.runs[0].validation.length;
    expect(epochs).toBeGreaterThanOrEqual(3);
    expect(results.runs[0].stoppedEpoch).toBe(epochs);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain(`An interrupt (Ctrl-C or SIGTERM) ended training at epoch ${epochs}`);
    expect(html).toContain("those at the interrupt: the last epoch&#39;s and the finished batches of the interrupted one");
    // The folder is a whole model: its weights load into the architecture model.json describes.
    const model = fromJSON(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).architecture);
    model.loadStateDict(loadSync(join(dir, 'model.safetensors')));
  }, 60000);

  it('tune: SIGTERM keeps the finished trials in the results file and the best so far, status 143', async () => {
    const dir = tempDir();
    const out = join(dir, 'best.json'), results = join(dir, 'trials.json');
    const r = await interrupted(
      ['tune', '--units', '6', '--folds', '2', '--epochs', '4', '--dropout', '0,0.1,0.2,0.3,0.4,0.5', '--concurrency', '1', '--out', out, '--results', results],
      /\[1\/6\]/, 'SIGTERM',
    );
    expect(r.status, r.stderr).toBe(143);
    const saved = JSON.parse(readFileSync(results, 'utf8'));
    expect(saved.status).toBe('interrupted');
    expect(saved.trials.length).toBeGreaterThanOrEqual(1);
    expect(saved.trials.length).toBeLessThan(6);
    expect(r.stdout).toContain(`Interrupted: ${saved.trials.length} of 6 trials finished. The same command with --resume runs the others.`);
    expect(JSON.parse(readFileSync(out, 'utf8')).dropout).toBe(saved.trials[0].config.dropout);
  }, 60000);
});
