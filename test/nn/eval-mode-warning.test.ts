/**
 * "Did you forget model.eval()?": a forward under noGrad through a BatchNorm1d (with running
 * statistics) or a Dropout/Dropout1d (p > 0) in training mode emits one process warning with code
 * KEEL_TRAINING_MODE_NO_GRAD naming the module — once per process however many forwards follow; never
 * with grad mode on, in eval, or inside nn.intendedTrainingMode (nesting-safe, restored on throw); and
 * the fused Sequential path emits it too. Warnings are counted with process.on('warning').
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { fusionEnabled, setFusion } from '../../src/nn/sequential.js';
import { randn } from '../../src/tensor/create.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed } from '../../src/tensor/random.js';

const CODE = 'KEEL_TRAINING_MODE_NO_GRAD';
const ADVICE = 'Did you forget model.eval()? (Wrap deliberate training-mode forwards in nn.intendedTrainingMode(() => ...))';

let seen: string[] = [];
const listener = (w: Error & { code?: string }): void => {
  if (w.code === CODE) seen.push(w.message);
};
let fusionWas = true;

beforeEach(() => {
  nn.resetModeWarning();
  seen = [];
  process.on('warning', listener);
  fusionWas = fusionEnabled();
  setFusion(true);
  manualSeed(0);
});
afterEach(() => {
  process.off('warning', listener);
  setFusion(fusionWas);
});

/** process.emitWarning delivers on the next tick: wait for it, then return what arrived. */
async function warnings(): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve));
  return seen;
}

describe('the training-mode-under-noGrad warning', () => {
  it('exports its code', () => {
    expect(nn.TRAINING_MODE_NO_GRAD).toBe(CODE);
  });

  it('BatchNorm1d: once, naming the module, and the running statistics did move', async () => {
    const bn = new nn.BatchNorm1d(64);
    noGrad(() => bn.forward(randn([8, 64])));
    expect(Array.from(bn.runningMean!.data).some((v) => v !== 0)).toBe(true);
    expect(await warnings()).toEqual([
      `BatchNorm1d(64) ran in training mode under noGrad(): its running statistics were updated from this batch. ${ADVICE}`,
    ]);
  });

  it('still once after many forwards through several modules', async () => {
    const model = new nn.Sequential(new nn.Linear(5, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(6, 2));
    for (let i = 0; i < 20; i++) noGrad(() => model.forward(randn([4, 5])));
    const bn = new nn.BatchNorm1d(3), drop = new nn.Dropout1d(0.2);
    for (let i = 0; i < 5; i++) noGrad(() => drop.forward(bn.forward(randn([4, 3, 2]))));
    const got = await warnings();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^BatchNorm1d\(6\) ran in training mode under noGrad\(\)/);
  });

  it('Dropout and Dropout1d name themselves and say what they did', async () => {
    noGrad(() => new nn.Dropout(0.25).forward(randn([4, 3])));
    expect(await warnings()).toEqual([`Dropout(p=0.25) ran in training mode under noGrad(): it zeroed random elements, so its outputs are random. ${ADVICE}`]);
    nn.resetModeWarning();
    seen = [];
    noGrad(() => new nn.Dropout1d(0.5).forward(randn([2, 3, 4])));
    expect(await warnings()).toEqual([`Dropout1d(p=0.5) ran in training mode under noGrad(): it zeroed random channels, so its outputs are random. ${ADVICE}`]);
  });

  it('BatchNorm1d with momentum 0 says it normalised with the batch instead', async () => {
    noGrad(() => new nn.BatchNorm1d(2, { momentum: 0 }).forward(randn([4, 2])));
    expect(await warnings()).toEqual([
      `BatchNorm1d(2) ran in training mode under noGrad(): it normalised with this batch's statistics instead of its running ones. ${ADVICE}`,
    ]);
  });

  it('not with grad mode on (ordinary training)', async () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.BatchNorm1d(4), new nn.Dropout(0.5));
    model.forward(randn([3, 4]));
    new nn.Dropout1d(0.5).forward(randn([2, 3, 4]));
    expect(await warnings()).toEqual([]);
  });

  it('not in eval mode, nor for modules whose training forward equals eval', async () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.BatchNorm1d(4), new nn.Dropout(0.5)).eval();
    noGrad(() => model.forward(randn([3, 4])));
    noGrad(() => new nn.Dropout1d(0.5).eval().forward(randn([2, 3, 4])));
    const block = new nn.Sequential(new nn.Conv1d(2, 4, 3), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Dropout(0.5)).eval();
    noGrad(() => block.forward(randn([3, 2, 5]))); // the fused (folded) eval path
    // Training mode, but nothing eval would do differently: no running statistics, p = 0.
    noGrad(() => new nn.BatchNorm1d(4, { trackRunningStats: false }).forward(randn([3, 4])));
    noGrad(() => new nn.Dropout(0).forward(randn([3, 4])));
    noGrad(() => new nn.Dropout1d(0).forward(randn([3, 4, 2])));
    expect(await warnings()).toEqual([]);
  });

  it('not inside intendedTrainingMode, which returns fn’s value, nests, and restores after', async () => {
    const bn = new nn.BatchNorm1d(3), drop = new nn.Dropout(0.5);
    const out = nn.intendedTrainingMode(() => {
      const inner = nn.intendedTrainingMode(() => noGrad(() => drop.forward(randn([2, 3]))));
      noGrad(() => bn.forward(randn([4, 3]))); // still suppressed after the inner call returned
      return inner;
    });
    expect(out.shape).toEqual([2, 3]);
    expect(await warnings()).toEqual([]);
    noGrad(() => bn.forward(randn([4, 3])));
    expect(await warnings()).toHaveLength(1);
  });

  it('intendedTrainingMode restores the warning when fn throws, and refuses a non-function', async () => {
    const bn = new nn.BatchNorm1d(3);
    expect(() => nn.intendedTrainingMode(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(() => nn.intendedTrainingMode(42 as never)).toThrow(new OptionError('intendedTrainingMode: fn must be a function, got number'));
    noGrad(() => bn.forward(randn([4, 3])));
    expect(await warnings()).toHaveLength(1);
  });

  it('a rejected batch does not warn (the shape check comes first)', async () => {
    expect(() => noGrad(() => new nn.BatchNorm1d(3).forward(randn([1, 3])))).toThrow(/expected more than 1 value per channel/);
    expect(await warnings()).toEqual([]);
  });

  it('the fused Sequential path: BatchNorm in training mode warns', async () => {
    const block = new nn.Sequential(new nn.Conv1d(2, 4, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Dropout(0.1));
    const bn = block.at(1) as nn.BatchNorm1d;
    // Prove the fused path ran: the modules' own forward is never called on it.
    let moduleForwards = 0;
    for (const m of [bn, block.at(3)]) {
      const own = m.forward.bind(m);
      m.forward = (x) => (moduleForwards++, own(x));
    }
    noGrad(() => block.forward(randn([3, 2, 5])));
    expect(moduleForwards).toBe(0);
    expect(bn.numBatchesTracked!.value).toBe(1);
    expect(await warnings()).toEqual([
      `BatchNorm1d(4) ran in training mode under noGrad(): its running statistics were updated from this batch. ${ADVICE}`,
    ]);
  });

  it('the fused Sequential path: a training Dropout after an eval BatchNorm warns', async () => {
    const block = new nn.Sequential(new nn.Conv1d(2, 4, 3, { padding: 1 }), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Dropout(0.3));
    block.at(1).eval();
    const drop = block.at(3);
    let dropForwards = 0;
    const own = drop.forward.bind(drop);
    drop.forward = (x) => (dropForwards++, own(x));
    noGrad(() => block.forward(randn([3, 2, 5])));
    expect(dropForwards).toBe(0);
    expect(await warnings()).toEqual([`Dropout(p=0.3) ran in training mode under noGrad(): it zeroed random elements, so its outputs are random. ${ADVICE}`]);
  });
});
