// zeroGrad() (the optimiser's and the module's, set-to-none) and any assignment to .grad (x.grad = null)
// hand the gradient array they drop back to the storage pool when nobody can still hold it: backward
// made it and no one has read .grad since. A hand-written loop (zeroGrad, backward, step) then reuses
// its gradient arrays from step to step as fit does; fresh large arrays are page faults every step
// (the MLP's step measured 4x slower). A gradient the user has read, or assigned, keeps its array and
// its values.
import { afterEach, describe, expect, it } from 'vitest';
import { F, manualSeed, nn, optim, Tensor } from '../../src/index.js';
import { clearStoragePool, emptyFloat32, resetStoragePoolStats, storagePoolBytes, storagePoolStats } from '../../src/tensor/storage.js';
import { gradOf } from '../../src/tensor/tensor.js';
import { fillRandom } from '../helpers/compare.js';

const N = 16, IN = 200, HIDDEN = 128; // the first weight (128 x 200) is large enough to be pooled

function model(): nn.Sequential {
  manualSeed(3);
  return new nn.Sequential(new nn.Linear(IN, HIDDEN), new nn.ReLU(), new nn.Linear(HIDDEN, 1));
}

const batches = Array.from({ length: 4 }, (_, i) => ({
  x: new Tensor(fillRandom(new Float32Array(N * IN), 10 + i, 1, 0) as Float32Array, [N, IN]),
  y: new Tensor(fillRandom(new Float32Array(N), 20 + i, 1, 0) as Float32Array, [N, 1]),
}));

/** Trains `steps` steps by hand; `read` runs after each step (what a user might do with the gradients). */
function train(steps: number, read: (m: nn.Sequential) => void = () => {}) {
  const m = model();
  const opt = new optim.Adam(m.parameters(), { lr: 1e-2 });
  const arrays: Float32Array[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, y } = batches[s % batches.length]!;
    opt.zeroGrad();
    F.mseLoss(m.forward(x), y).backward();
    opt.step();
    arrays.push(gradOf(m.parameters()[0]!)!.data); // the library's read: hands nothing out
    read(m);
  }
  return { m, opt, arrays };
}

afterEach(() => clearStoragePool());

describe('zeroGrad() reuses gradient arrays nobody can hold', () => {
  it('a zeroGrad() loop reuses its gradient arrays, allocates none in steady state, and trains as before', () => {
    const { m, arrays } = train(3);
    expect(new Set(arrays).size, 'one array from the second step on').toBeLessThanOrEqual(2);
    expect(arrays[2]).toBe(arrays[1]);

    // From the third step on, every large array a step asks for comes from the pool.
    let step = 0;
    train(6, () => void (++step === 2 && resetStoragePoolStats()));
    const stats = storagePoolStats();
    expect(stats.hits).toBeGreaterThan(0);
    expect(stats.misses, 'no fresh large array after the second step').toBe(0);

    // Reading every gradient (so none is recycled) gives the same weights, bit for bit.
    const reading = train(3, (r) => r.parameters().forEach((p) => p.grad));
    expect(new Set(reading.arrays).size, 'read gradients are never reused').toBe(3);
    reading.m.parameters().forEach((p, i) => expect(Array.from(p.data), `parameter ${i}`).toEqual(Array.from(m.parameters()[i]!.data)));
  });

  it('leaves a gradient the user read alone: it keeps its array and its values', () => {
    let held: Tensor | null = null;
    let values: number[] = [];
    const { m, opt } = train(2, (r) => {
      held ??= r.parameters()[0]!.grad;
      if (values.length === 0) values = Array.from(held!.data);
    });
    expect(m.parameters()[0]!.grad!.data).not.toBe(held!.data);
    expect(Array.from(held!.data), 'the next backward wrote elsewhere').toEqual(values);
    opt.zeroGrad();
    expect(emptyFloat32(held!.data.length)).not.toBe(held!.data);
  });

  it('zeroGrad(false) zeroes the same arrays in place', () => {
    const { m, opt, arrays } = train(1);
    opt.zeroGrad(false);
    const g = gradOf(m.parameters()[0]!)!;
    expect(g.data).toBe(arrays[0]);
    expect(g.data.every((v) => v === 0)).toBe(true);
  });

  it('Module.zeroGrad() recycles as the optimiser does', () => {
    const { m, arrays } = train(1);
    m.zeroGrad();
    expect(gradOf(m.parameters()[0]!)).toBeNull();
    expect(emptyFloat32(arrays[0]!.length), 'the next request of that length gets it').toBe(arrays[0]);
  });

  it('an assignment to .grad recycles the gradient it replaces only when nobody read it', () => {
    const { m, arrays } = train(1);
    m.parameters()[0]!.grad = null;
    expect(emptyFloat32(arrays[0]!.length), 'x.grad = null recycled it').toBe(arrays[0]);

    const other = train(1).m.parameters()[0]!;
    const read = other.grad!;
    other.grad = new Tensor(new Float32Array(HIDDEN * IN), [HIDDEN, IN]);
    expect(emptyFloat32(read.data.length), 'a gradient that was read is left to its reader').not.toBe(read.data);
    expect(Array.from(read.data.subarray(0, 4))).not.toEqual([0, 0, 0, 0]);
  });

  it('never recycles a gradient the user assigned', () => {
    const { m, opt } = train(1);
    opt.zeroGrad();
    clearStoragePool();
    const mine = new Tensor(new Float32Array(HIDDEN * IN), [HIDDEN, IN]);
    m.parameters()[0]!.grad = mine;
    opt.zeroGrad();
    expect(gradOf(m.parameters()[0]!)).toBeNull();
    expect(storagePoolBytes()).toBe(0);
  });
});
