// fit's gradient contract (README, Training): each step clears the parameters' gradients as
// zeroGrad() does, handing their arrays back to the storage pool, so the next step's gradients reuse
// them instead of allocating. A gradient read in a callback holds that batch's values until the next
// batch starts; the training result is that of a loop calling zeroGrad().
import { describe, expect, it } from 'vitest';
import { F, fit, manualSeed, nn, optim, Tensor } from '../../src/index.js';
import { Callback } from '../../src/train/callbacks/callback.js';
import { fillRandom } from '../helpers/compare.js';

const N = 64, IN = 200, HIDDEN = 128; // the first weight (128 x 200) is large enough to be pooled

function data(seed: number) {
  const x = new Tensor(fillRandom(new Float32Array(N * IN), seed, 1, 0) as Float32Array, [N, IN]);
  const y = new Tensor(fillRandom(new Float32Array(N), seed + 1, 1, 0) as Float32Array, [N, 1]);
  return { x, y };
}

function model(): nn.Sequential {
  manualSeed(3);
  return new nn.Sequential(new nn.Linear(IN, HIDDEN), new nn.ReLU(), new nn.Linear(HIDDEN, 1));
}

/** Records, at each batch's end, the first weight's gradient array and a copy of its values. */
class GradSpy extends Callback {
  arrays: Float32Array[] = [];
  copies: Float32Array[] = [];
  override onBatchEnd(): void {
    const g = this.context.model.parameters()[0]!.grad!.data as Float32Array;
    this.arrays.push(g);
    this.copies.push(g.slice());
  }
}

describe('fit reuses gradient arrays from step to step', () => {
  it('the same arrays come back; each batch saw its own gradient; the weights equal a zeroGrad() loop', async () => {
    const { x, y } = data(1);
    const spy = new GradSpy();
    const m = model();
    await fit(m, { x, y, epochs: 2, batchSize: 8, shuffle: false, loss: 'mse', optimizer: new optim.SGD(m.parameters(), { lr: 0.05 }), callbacks: [spy], worker: false, verbose: false, checks: false });
    expect(spy.arrays).toHaveLength(16);
    expect(new Set(spy.arrays).size, 'steady state: no new gradient array per step').toBeLessThanOrEqual(2);
    // Reused arrays held fresh values at every batch end: consecutive batches' gradients differ.
    for (let i = 1; i < spy.copies.length; i++) expect(spy.copies[i]).not.toEqual(spy.copies[i - 1]);

    // The same training by hand, with PyTorch's zeroGrad(): bit for bit the same weights.
    const ref = model();
    const opt = new optim.SGD(ref.parameters(), { lr: 0.05 });
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let b = 0; b < N; b += 8) {
        const xb = new Tensor(x.data.slice(b * IN, (b + 8) * IN), [8, IN]), yb = new Tensor(y.data.slice(b, b + 8), [8, 1]);
        opt.zeroGrad();
        F.mseLoss(ref.forward(xb), yb).backward();
        opt.step();
      }
    }
    ref.parameters().forEach((p, i) => expect(Array.from(m.parameters()[i]!.data), `parameter ${i}`).toEqual(Array.from(p.data)));
  });
});
