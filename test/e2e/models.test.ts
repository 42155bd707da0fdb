// End to end against PyTorch: the §1 Conv1d backbone (at fixture size) and a Linear/BatchNorm/Dropout
// MLP, with weights from a PyTorch-written safetensors file (test/fixtures/e2e/make_e2e_fixtures.py),
// must give PyTorch's train-mode outputs (dropout p = 0), loss, every parameter gradient, running
// statistics and eval-mode outputs, and PyTorch's weights and learning rates after 5 steps of SGD
// (Nesterov, weight decay) + StepLR, Adam + CosineAnnealingLR and AdamW + warm-up→cosine.
//
// It also checks the keel-written files test/fixtures/e2e/*.keel.safetensors, which the fixture script
// loads into PyTorch with --verify: keel must still produce what they hold. KEEL_WRITE_FIXTURES=1
// rewrites them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as F from '../../src/functional/index.js';
import { loadSync, saveSync } from '../../src/io/save.js';
import type { StateDict, StateTensor } from '../../src/io/state.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers/compare.js';
import type { Tolerance } from '../tolerances.js';

// float32 sums in a different order than PyTorch's, through 5 layers; optimiser runs compound that
// over 5 steps (Adam divides by sqrt(v) ≈ |g|, which amplifies relative gradient noise).
const FORWARD: Tolerance = { atol: 2e-5, rtol: 1e-4 };
const STEPS: Tolerance = { atol: 2e-4, rtol: 1e-3 };

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/e2e/${name}`, import.meta.url));

interface ModelCase {
  name: 'backbone' | 'mlp';
  make: () => nn.Module;
  loss: (y: Tensor, target: StateTensor) => Tensor;
}

const cases: ModelCase[] = [
  {
    name: 'backbone',
    make: () => nn.conv1dBackbone({ inChannels: 14, window: 12, widths: [16, 16, 16], headHidden: 32, dropout: 0, headDropout: 0, outputs: 1 }),
    loss: (y, t) => F.mseLoss(y, asTensor(t)),
  },
  {
    name: 'mlp',
    make: () => new nn.Sequential(
      // No bias before BatchNorm (see make_e2e_fixtures.py for why).
      new nn.Linear(64, 32, { bias: false }), new nn.BatchNorm1d(32), new nn.ReLU(), new nn.Dropout(0),
      new nn.Linear(32, 16, { bias: false }), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Dropout(0),
      new nn.Linear(16, 10),
    ),
    loss: (y, t) => F.crossEntropy(y, Array.from(t.data as BigInt64Array, Number), { labelSmoothing: 0.1 }),
  },
];

function asTensor(t: StateTensor): Tensor {
  return new Tensor(Float32Array.from(t.data as Float32Array), t.shape);
}

/** Entries under `prefix.`, with the prefix removed. */
function section(all: StateDict, prefix: string): StateDict {
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, v]) => [k.slice(prefix.length + 1), v]));
}

function expectState(label: string, got: StateDict, want: StateDict, tol: Tolerance) {
  expect(Object.keys(got), `${label}: state-dict keys`).toEqual(Object.keys(want));
  for (const [k, w] of Object.entries(want)) {
    expect(got[k]!.dtype, `${label}: ${k} dtype`).toBe(w.dtype);
    const asNumbers = (t: StateTensor) => Array.from(t.data as ArrayLike<number | bigint>, Number);
    expectClose({ kernel: 'linearForward', backend: 'keel', case: label, output: k }, asNumbers(got[k]!), asNumbers(w), tol);
  }
}

function optimiserRun(name: string, model: nn.Module): { opt: optim.Optimizer; sched: optim.Scheduler } {
  const params = model.parameters();
  if (name === 'sgd') {
    const opt = new optim.SGD(params, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 });
    return { opt, sched: new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 }) };
  }
  if (name === 'adam') {
    const opt = new optim.Adam(params, { lr: 1e-2, weightDecay: 1e-4 });
    return { opt, sched: new optim.CosineAnnealingLR(opt, { tMax: 5 }) };
  }
  const opt = new optim.AdamW(params, { lr: 1e-2, weightDecay: 1e-2 });
  const sched = new optim.SequentialLR(opt, [new optim.LinearLR(opt, { startFactor: 0.25, totalIters: 2 }), new optim.CosineAnnealingLR(opt, { tMax: 3 })], [2]);
  return { opt, sched };
}

/** Batch i of a (5, ...) stacked fixture tensor. */
function batch(t: StateTensor, i: number): StateTensor {
  const per = t.data.length / t.shape[0]!;
  return { dtype: t.dtype, shape: t.shape.slice(1), data: t.data.slice(i * per, (i + 1) * per) as StateTensor['data'] };
}

describe.each(cases)('$name against PyTorch', ({ name, make, loss }) => {
  const f = loadSync(fixture(`${name}.safetensors`));
  const init = section(f, 'init');
  const x = asTensor(f.x!);

  it('loads PyTorch-written weights and matches its train-mode output, loss, gradients and running stats', () => {
    const model = make();
    model.loadStateDict(init);
    model.train();
    const y = model.forward(x);
    expectClose({ kernel: 'linearForward', backend: 'keel', case: name, output: 'out.train' }, y.data, f['out.train']!.data as Float32Array, FORWARD);
    const l = loss(y, f.target!);
    expect(l.item()).toBeCloseTo(f['loss.train']!.data[0] as number, 5);
    l.backward();
    const grads = section(f, 'grad');
    expect(model.namedParameters().map(([k]) => k)).toEqual(Object.keys(grads));
    for (const [k, p] of model.namedParameters()) {
      expectClose({ kernel: 'linearBackwardWeight', backend: 'keel', case: name, output: `grad.${k}` }, p.grad!.data, grads[k]!.data as Float32Array, FORWARD);
    }
    expectState(`${name} buffers after one training forward`, Object.fromEntries(model.namedBuffers()), section(f, 'buffers'), FORWARD);
  });

  it('matches the eval-mode output under noGrad, changing no parameter or buffer', () => {
    const model = make();
    model.loadStateDict(init);
    model.train();
    model.forward(x); // the same running statistics as PyTorch's run
    const before = model.stateDict();
    model.eval();
    const y = noGrad(() => model.forward(x));
    expectClose({ kernel: 'linearForward', backend: 'keel', case: name, output: 'out.eval' }, y.data, f['out.eval']!.data as Float32Array, FORWARD);
    expectState(`${name} state after eval`, model.stateDict(), before, { atol: 0, rtol: 0 });
  });

  it.each(['sgd', 'adam', 'adamw'])('matches PyTorch after 5 steps of %s with its schedule', (opt) => {
    const model = make();
    model.loadStateDict(init);
    model.train();
    const run = optimiserRun(opt, model);
    const lrs: number[] = [];
    for (let i = 0; i < 5; i++) {
      run.opt.zeroGrad();
      loss(model.forward(asTensor(batch(f.xs!, i))), batch(f.ys!, i)).backward();
      run.opt.step();
      run.sched.step();
      lrs.push(run.opt.paramGroups[0]!.lr);
    }
    Array.from(f[`lr.${opt}`]!.data as Float64Array).forEach((want, i) => expect(lrs[i]).toBeCloseTo(want, 12));
    expectState(`${name} after ${opt}`, model.stateDict(), section(f, opt), STEPS);
  });

  it('still produces the keel-written file that PyTorch verifies (make_e2e_fixtures.py --verify)', () => {
    const model = make();
    model.loadStateDict(section(f, 'adam'));
    model.eval();
    const out = noGrad(() => model.forward(x));
    const written: StateDict = { x: f.x!, 'out.eval': out };
    for (const [k, v] of Object.entries(model.stateDict())) written[`state.${k}`] = v;
    const path = fixture(`${name}.keel.safetensors`);
    if (process.env.KEEL_WRITE_FIXTURES || !existsSync(path)) saveSync(path, written, { metadata: { producer: 'keel', model: name } });
    expectState(`${name}.keel.safetensors`, written, loadSync(path), { atol: 1e-6, rtol: 1e-6 });
  });
});
