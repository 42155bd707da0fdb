// keel train: a model folder that rebuilds the trained model exactly (architecture from model.json,
// weights from model.safetensors with PyTorch's keys), the report of the run, the flags reaching the
// model, and usage errors that name the flag.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSync } from '../../src/io/save.js';
import * as nn from '../../src/nn/index.js';
import { fromJSON } from '../../src/nn/serialize.js';
import { run, tempDir } from './io.js';

describe('keel train', () => {
  it('writes model.safetensors, model.json and the report, and --json describes the run', async () => {
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', 'runtofailure:2', '--units', '6', '--epochs', '2', '--val-units', '0.34', '--out', dir, '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.modelDir).toBe(dir);
    expect(out.units).toEqual({ fit: 4, validation: 2 });
    expect(out.epochs).toBe(2);
    expect(out.bestEpoch === 1 || out.bestEpoch === 2).toBe(true);
    for (const k of ['bestValRmse', 'finalTrainRmse', 'finalValRmse']) expect(out[k]).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/epoch 2\/2 {2}train RMSE [\d.]+ {2}val RMSE [\d.]+ cycles/);
    for (const f of ['model.safetensors', 'model.json', 'index.html', 'results.json', 'curves-backbone.svg']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
      expect(out.files).toContain(join(dir, f));
    }

    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved).toMatchObject({ format: 'keel-model', version: 1, window: 30, target: { name: 'rul', cap: 125, scale: 125 }, data: { kind: 'runtofailure', seed: 2 } });
    expect(saved.channels).toHaveLength(14);
    expect(saved.scaler.type).toBe('Standardizer');
    // The split is recorded: 4 units fitted, 2 validated, none on both sides.
    expect(saved.training.unitIds.fit).toHaveLength(4);
    expect(saved.training.unitIds.validation).toHaveLength(2);
    expect(saved.training.unitIds.fit.filter((id: number) => saved.training.unitIds.validation.includes(id))).toEqual([]);
    const model = fromJSON(saved.architecture);
    const state = loadSync(join(dir, 'model.safetensors'));
    expect(Object.keys(state)).toEqual(Object.keys(model.stateDict()));
    expect(Object.keys(state)).toContain('1.running_mean');
    model.loadStateDict(state);

    const report = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0].validation).toHaveLength(2);
    expect(report.rows[0].bestValRmse).toBeCloseTo(out.bestValRmse, 6);
    // What this run shows: the best epoch beside a constant prediction, divergence, the saved weights.
    expect(out.baselineValRmse).toBeGreaterThan(0);
    expect(report.findings).toHaveLength(3);
    expect(report.findings[0]).toContain(`${out.bestValRmse.toFixed(2)} cycles`);
    expect(report.findings[0]).toContain(`a constant prediction (the fitting windows' mean RUL, `);
    expect(report.findings[0]).toContain(`which scores ${out.baselineValRmse.toFixed(2)} cycles`);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('What this run shows');
  });

  it('builds the model the flags ask for', async () => {
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', 'runtofailure', '--units', '5', '--epochs', '1', '--no-batchnorm', '--dropout', '0', '--head-dropout', '0.25', '--window', '20', '--early-stopping', '0', '--out', dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Best val RMSE/);
    expect(r.stdout).toMatch(/What this run shows:\n- At the best epoch \(1, the lowest validation loss\)[^\n]+\n- Validation loss[^\n]+\n- The last epoch was the best/);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const types: string[] = saved.architecture.children.map((c: { type: string }) => c.type);
    expect(types).not.toContain('BatchNorm1d');
    const drops = saved.architecture.children.filter((c: { type: string }) => c.type === 'Dropout').map((c: { options: { p: number } }) => c.options.p);
    expect(drops).toEqual([0, 0, 0, 0.25]);
    expect(saved.window).toBe(20);
    expect(saved.architecture.children.find((c: { type: string }) => c.type === 'Linear').options.inFeatures).toBe(64 * 20);
  });

  it('takes the optimiser, schedule and augmentation from --optimizer, --schedule and --augment (recorded in model.json)', async () => {
    const dir = join(tempDir(), 'm');
    const r = await run('train', '--data', 'runtofailure', '--units', '5', '--epochs', '2', '--optimizer', 'sgd', '--lr', '0.01',
      '--schedule', 'cosine', '--augment', 'jitter,mixup', '--early-stopping', '0', '--out', dir, '--json');
    expect(r.status).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved.training.options).toMatchObject({ optimizer: 'sgd', schedule: 'cosine', augment: 'jitter,mixup', lr: 0.01 });
    const report = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(report.summary.join(' ')).toContain('sgd lr 0.01 (cosine), augment jitter,mixup');
  });

  it('reads options from --config (the command line wins) and the architecture from --model-config', async () => {
    const dir = tempDir();
    const arch = nn.conv1dBackbone({ inChannels: 14, window: 20, widths: [16], headHidden: 8, dropout: 0 }).toJSON();
    writeFileSync(join(dir, 'arch.json'), JSON.stringify(arch));
    writeFileSync(join(dir, 'options.json'), JSON.stringify({ data: 'runtofailure', units: 5, epochs: 3, window: 20, 'early-stopping': 0, seed: 4 }));
    const r = await run('train', '--config', join(dir, 'options.json'), '--epochs', '1', '--model-config', join(dir, 'arch.json'), '--out', join(dir, 'm'), '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).epochs).toBe(1);
    const saved = JSON.parse(readFileSync(join(dir, 'm', 'model.json'), 'utf8'));
    expect(saved.architecture).toEqual(arch);
    expect(saved).toMatchObject({ window: 20, seed: 4 });

    writeFileSync(join(dir, 'wrong.json'), JSON.stringify(nn.conv1dBackbone({ inChannels: 3, window: 20 }).toJSON()));
    const bad = await run('train', '--data', 'runtofailure', '--units', '5', '--window', '20', '--model-config', join(dir, 'wrong.json'), '--out', join(dir, 'w'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`ShapeError: ${join(dir, 'wrong.json')}: the model cannot take windows of 14 channels × 20 steps`);
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ epoch: 3 }));
    const typo = await run('train', '--config', join(dir, 'typo.json'), '--data', 'runtofailure', '--out', join(dir, 't'));
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain(`--config ${join(dir, 'typo.json')}: unknown option "epoch"`);
  });

  it.each([
    [['--data', 'runtofailure', '--out', 'x', '--model-config', 'a.json', '--dropout', '0.2'], '--dropout and --model-config both describe the model'],
    [['--data', 'runtofailure', '--out', 'x', '--optimizer', 'rmsprop'], '--optimizer must be one of adamw, adam, sgd, got "rmsprop"'],
    [['--data', 'runtofailure', '--out', 'x', '--schedule', 'linear'], '--schedule must be one of none, cosine, onecycle, step, got "linear"'],
    [['--data', 'runtofailure', '--out', 'x', '--augment', 'jitter,flip'], '--augment takes a comma-separated list of jitter, scaling'],
    [['--data', 'runtofailure', '--out', 'x', '--augment', '{"type":"jitter","options":{"sigma":-1}}'], '--augment: '],
    [['--out', 'x'], '--data is required'],
    [['--data', 'runtofailure'], '--out is required'],
    // Checked before training, so a mistyped --out does not throw away the run.
    [['--data', 'runtofailure', '--out', '/etc/hostname'], '--out /etc/hostname is a file; give a folder (it is created when missing)'],
    [['--data', 'fashion-mnist', '--out', '/etc/hostname/m'], '--out /etc/hostname/m: /etc/hostname is a file, so nothing can be written under it'],
    [['--data', 'mnist', '--out', 'x'], '--data must be runtofailure[:SEED], csv:FILE or ts:FILE, got "mnist"'],
    [['--data', 'runtofailure:-1', '--out', 'x'], '--data runtofailure:SEED takes a seed that is an integer in [0, 9007199254740991], got "-1"'],
    [['--data', 'runtofailure:abc', '--out', 'x'], '--data runtofailure:SEED takes a seed that is an integer'],
    [['--data', 'runtofailure', '--out', 'x', '--lr', 'fast'], '--lr must be a number in (0, Infinity), got "fast"'],
    [['--data', 'runtofailure', '--out', 'x', '--val-units', '1'], '--val-units must be a number in (0, 1), got "1"'],
    [['--data', 'runtofailure', '--out', 'x', '--dropout', '1.5'], '--dropout must be a number in [0, 1], got "1.5"'],
    [['--data', 'runtofailure', '--out', 'x', '--model', 'mlp'], '--model must be backbone'],
    [['--data', 'runtofailure', '--out', 'x', '--units', '1'], '--units must be an integer in [2,'],
    [['--data', 'runtofailure', '--out', 'x', '--units', '4', '--val-units', '0.05'], '--val-units 0.05 leaves no validation unit'],
  ])('%j is a usage error naming the flag', async (argv, message) => {
    const r = await run('train', ...argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
