/**
 * The non-finite guard of BatchNorm's running statistics (issue 12): a training batch with a NaN or
 * an infinity in one sample leaves running_mean, running_var and num_batches_tracked bitwise as they
 * were — through nn.BatchNorm1d and through Sequential's fused Conv1d → BatchNorm1d → ReLU → Dropout
 * block — while its output still carries the non-finite values. trackNonFinite: true is PyTorch's
 * behaviour (the running statistics take the NaN). A finite batch updates them bit for bit as the
 * unguarded path does. Every kernel set runs (the JS reference and each native CPU level), swapped in
 * under the layers for the duration of its block.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernels } from '../../src/backend/index.js';
import type { KernelSet } from '../../src/backend/kernel-set.js';
import * as F from '../../src/functional/index.js';
import * as nn from '../../src/nn/index.js';
import { fusionEnabled, setFusion } from '../../src/nn/sequential.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { allSets } from '../helpers/backends.js';
import { fillRandom } from '../helpers/compare.js';

const [N, C, L] = [5, 4, 6];

/** A (N, C_in, L) batch of seeded values; `poison` puts one value into sample 2 (one element only). */
function batch(seed: number, channels: number, poison?: number): Tensor {
  const x = fillRandom(new Float32Array(N * channels * L), seed, 2) as Float32Array;
  if (poison !== undefined) x[2 * channels * L + L + 3] = poison;
  return new Tensor(x, [N, channels, L]);
}

/** The running statistics and counter of every BatchNorm1d in the model, as bytes (bitwise comparison). */
function bnState(model: nn.Module): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, t] of Object.entries(model.stateDict())) {
    if (/running_|num_batches/.test(k)) out[k] = new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength));
  }
  return out;
}

const hasNonFinite = (t: Tensor): boolean => t.data.some((v) => !Number.isFinite(v));

/** BatchNorm1d(C) after one finite training batch (so its running statistics are not the initial 0 and 1). */
function warmBatchNorm(options: nn.BatchNorm1dOptions = {}): nn.BatchNorm1d {
  const bn = new nn.BatchNorm1d(C, options);
  bn.forward(batch(1, C));
  return bn;
}

/** The reference workload's block, in training; built from the same seed every time. */
function warmBlock(options: nn.BatchNorm1dOptions = {}): nn.Sequential {
  manualSeed(7);
  const model = new nn.Sequential(new nn.Conv1d(3, C, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(C, options), new nn.ReLU(), new nn.Dropout(0.15));
  model.forward(batch(1, 3));
  return model;
}

// Every kernel set's functions, copied before any swap (the loaded set may be one of them).
const sets = allSets.map((s) => ({ name: s.name, fns: { ...s.kernels } as KernelSet }));
const loaded = { ...kernels } as KernelSet;

for (const set of sets) {
  describe(`BatchNorm1d non-finite guard (${set.name})`, () => {
    const fused = fusionEnabled();
    beforeAll(() => void Object.assign(kernels, set.fns));
    afterAll(() => {
      Object.assign(kernels, loaded);
      setFusion(fused);
    });

    for (const [what, value] of [['NaN', NaN], ['Inf', Infinity]] as const) {
      it(`nn.BatchNorm1d: a batch with ${what} leaves the running statistics bitwise unchanged; the output keeps it`, () => {
        const bn = warmBatchNorm();
        const before = bnState(bn);
        const y = bn.forward(batch(2, C, value));
        expect(bnState(bn)).toEqual(before);
        expect(hasNonFinite(y)).toBe(true);
      });

      for (const fusion of [true, false]) {
        it(`Conv1d → BatchNorm1d → ReLU → Dropout (${fusion ? 'fused' : 'unfused'}): a batch with ${what} leaves them unchanged`, () => {
          setFusion(fusion);
          const model = warmBlock();
          const before = bnState(model);
          const y = model.forward(batch(2, 3, value));
          expect(bnState(model)).toEqual(before);
          expect(hasNonFinite(y)).toBe(true);
        });
      }
    }

    it('trackNonFinite: true lets the running statistics take the NaN (PyTorch), and counts the batch', () => {
      const bn = warmBatchNorm({ trackNonFinite: true });
      bn.forward(batch(2, C, NaN));
      expect(Number.isNaN(bn.runningMean!.data[1])).toBe(true); // the poisoned element is in channel 1
      expect(Number.isNaN(bn.runningVar!.data[1])).toBe(true);
      expect(bn.runningMean!.data[0]).not.toBeNaN();
      expect(bn.numBatchesTracked!.value).toBe(2);
      for (const fusion of [true, false]) {
        setFusion(fusion);
        const model = warmBlock({ trackNonFinite: true });
        model.forward(batch(2, 3, NaN));
        expect((model.at(1) as nn.BatchNorm1d).runningMean!.data.some(Number.isNaN), fusion ? 'fused' : 'unfused').toBe(true);
      }
    });

    it('trackNonFinite: true, NaN in (N, C) vectors and in rows longer than a SIMD width: the running variance takes it too', () => {
      // The SIMD kernels clamped the batch variance at 0 with `sq > 0 ? sq : 0`, which turned NaN into 0.
      const vectors = new nn.BatchNorm1d(3, { trackNonFinite: true });
      vectors.forward(new Tensor(Float32Array.from({ length: 24 }, (_, i) => (i === 7 ? NaN : Math.sin(i))), [8, 3]));
      expect(Array.from(vectors.runningVar!.data, Number.isNaN)).toEqual([false, true, false]);
      const rows = new nn.BatchNorm1d(2, { trackNonFinite: true });
      rows.forward(new Tensor(Float32Array.from({ length: 4 * 2 * 40 }, (_, i) => (i === 40 + 37 ? NaN : Math.cos(i))), [4, 2, 40]));
      expect(Array.from(rows.runningVar!.data, Number.isNaN)).toEqual([false, true]);
      for (const fusion of [true, false]) {
        setFusion(fusion);
        manualSeed(7);
        const model = new nn.Sequential(new nn.Conv1d(3, C, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(C, { trackNonFinite: true }), new nn.ReLU());
        model.forward(new Tensor(Float32Array.from({ length: 4 * 3 * 40 }, (_, i) => (i === 50 ? NaN : Math.sin(i * 0.3))), [4, 3, 40]));
        expect((model.at(1) as nn.BatchNorm1d).runningVar!.data.every(Number.isNaN), fusion ? 'fused' : 'unfused').toBe(true);
      }
    });

    it('a finite batch updates the running statistics bit for bit as the unguarded path (trackNonFinite: true) does', () => {
      const guarded = warmBatchNorm(), unguarded = warmBatchNorm({ trackNonFinite: true });
      const [a, b] = [guarded.forward(batch(3, C)), unguarded.forward(batch(3, C))];
      expect(bnState(guarded)).toEqual(bnState(unguarded));
      expect(a.data).toEqual(b.data);
      for (const fusion of [true, false]) {
        setFusion(fusion);
        const g = warmBlock(), u = warmBlock({ trackNonFinite: true });
        manualSeed(11);
        const yg = g.forward(batch(3, 3));
        manualSeed(11);
        const yu = u.forward(batch(3, 3));
        expect(bnState(g), fusion ? 'fused' : 'unfused').toEqual(bnState(u));
        expect(yg.data).toEqual(yu.data);
      }
    });

    it('a skipped batch is not counted: finite, NaN, finite equals finite, finite (also the cumulative average)', () => {
      for (const momentum of [0.1, null]) {
        const skipped = warmBatchNorm({ momentum }), clean = warmBatchNorm({ momentum });
        skipped.forward(batch(2, C, NaN));
        skipped.forward(batch(3, C));
        clean.forward(batch(3, C));
        expect(bnState(skipped), `momentum ${momentum}`).toEqual(bnState(clean));
        expect(skipped.numBatchesTracked!.value).toBe(2);
      }
    });

    it('F.batchNorm1d: the same guard on caller-owned running statistics; trackNonFinite is checked', () => {
      const rm = new Tensor(Float32Array.from([0.5, -1, 2, 0]), [C]), rv = new Tensor(Float32Array.from([1, 2, 0.5, 3]), [C]);
      const [m0, v0] = [rm.data.slice(), rv.data.slice()];
      const y = F.batchNorm1d(batch(2, C, -Infinity), rm, rv, null, null, { training: true });
      expect(rm.data).toEqual(m0);
      expect(rv.data).toEqual(v0);
      expect(hasNonFinite(y)).toBe(true);
      F.batchNorm1d(batch(2, C, NaN), rm, rv, null, null, { training: true, trackNonFinite: true });
      expect(Number.isNaN(rm.data[1])).toBe(true);
      expect(() => F.batchNorm1d(batch(2, C), rm, rv, null, null, { training: true, trackNonFinite: 'yes' as never })).toThrow(
        'batchNorm1d: trackNonFinite must be true or false, got "yes"',
      );
    });
  });
}

describe('the trackNonFinite option', () => {
  it('round-trips through toJSON/fromJSON, is absent from the JSON by default, and must be a boolean', () => {
    const on = nn.fromJSON(JSON.stringify(new nn.BatchNorm1d(C, { trackNonFinite: true }).toJSON())) as nn.BatchNorm1d;
    expect(on.trackNonFinite).toBe(true);
    expect(on.toString()).toContain('trackNonFinite=true');
    const off = new nn.BatchNorm1d(C);
    expect(off.trackNonFinite).toBe(false);
    expect(off.toJSON().options).not.toHaveProperty('trackNonFinite');
    expect(() => new nn.BatchNorm1d(C, { trackNonFinite: 1 as never })).toThrow('BatchNorm1d: trackNonFinite must be true or false, got 1');
  });
});
