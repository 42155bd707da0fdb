/**
 * clipGradNorm / clipGradValue against hand-computed values: the total norm over all gradients as
 * one vector (L2, L1, ∞, p = 3), the scaling by maxNorm/(total + 1e-6) in float32, gradients left
 * bitwise untouched when the coefficient is >= 1, parameters without gradients skipped, non-finite
 * norms as PyTorch 1.13 handles them, and bad arguments.
 */
import { describe, expect, it } from 'vitest';
import { KeelError, NonFiniteError, OptionError, ShapeError } from '../../src/errors.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

const f32 = Math.fround;

/** A parameter with the given gradient (or none). */
function param(grad: number[] | null, shape = [grad?.length ?? 1]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = new Tensor(new Float32Array(n).fill(1), shape, { requiresGrad: true });
  if (grad) p.grad = new Tensor(Float32Array.from(grad), shape);
  return p;
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

/** Gradients [3, −4] (2×1) and [12] plus one parameter without a gradient: L2 13, L1 19, ∞ 12. */
function threeParams(): Tensor[] {
  return [param([3, -4], [2, 1]), param([12]), param(null, [3])];
}

describe('clipGradNorm', () => {
  it('L2: returns 13 and scales every gradient by 6.5/(13 + 1e-6) in float32', () => {
    const ps = threeParams();
    expect(clipGradNorm(ps, 6.5)).toBe(13);
    const c = f32(6.5 / (13 + 1e-6));
    expect(Array.from(ps[0]!.grad!.data)).toEqual([f32(3 * c), f32(-4 * c)]);
    expect(Array.from(ps[1]!.grad!.data)).toEqual([f32(12 * c)]);
    // ≈ half of each, 1e-6 relative below it.
    expect(ps[0]!.grad!.data[0]).toBeCloseTo(1.5, 6);
    expect(ps[1]!.grad!.data[0]).toBeCloseTo(6, 5);
    expect(ps[1]!.grad!.data[0]).toBeLessThan(6);
    expect(ps[2]!.grad).toBeNull();
    // The clipped gradients now have norm maxNorm (up to the 1e-6 and float32 rounding).
    const g = [...ps[0]!.grad!.data, ...ps[1]!.grad!.data];
    expect(Math.hypot(...g)).toBeCloseTo(6.5, 5);
  });

  it('L1 and ∞ norms, and p = 3', () => {
    let ps = threeParams();
    expect(clipGradNorm(ps, 9.5, { normType: 1 })).toBe(19);
    expect(Array.from(ps[1]!.grad!.data)).toEqual([f32(12 * f32(9.5 / (19 + 1e-6)))]);

    ps = threeParams();
    expect(clipGradNorm(ps, 3, { normType: Infinity })).toBe(12);
    const c = f32(3 / (12 + 1e-6));
    expect(Array.from(ps[0]!.grad!.data)).toEqual([f32(3 * c), f32(-4 * c)]);
    expect(ps[1]!.grad!.data[0]).toBeCloseTo(3, 5);

    ps = threeParams();
    // (27 + 64 + 1728)^(1/3) = 1819^(1/3)
    expect(clipGradNorm(ps, 100, { normType: 3 })).toBeCloseTo(Math.cbrt(1819), 13);
  });

  it('a coefficient >= 1 leaves the gradients bitwise unchanged (−0, subnormals, the same arrays)', () => {
    const ps = [param([3, -0, 1e-40]), param([-4])];
    const arrays = ps.map((p) => p.grad!.data);
    const before = arrays.map(bits);
    expect(clipGradNorm(ps, 5.0001)).toBeCloseTo(5, 12);
    expect(clipGradNorm(ps, 100, { normType: 1 })).toBeCloseTo(7, 12);
    expect(ps.map((p) => p.grad!.data)).toEqual(arrays);
    expect(ps.map((p) => bits(p.grad!.data))).toEqual(before);
    // Just below the norm clips: the coefficient 5/(5 + 1e-6) < 1 (to float32: 0.9999998).
    clipGradNorm(ps, 5);
    expect(ps[1]!.grad!.data[0]).toBe(f32(-4 * f32(5 / (5 + 1e-6))));
    expect(ps[1]!.grad!.data[0]).not.toBe(-4);
  });

  it('no gradients at all: returns 0; a single Tensor is accepted', () => {
    expect(clipGradNorm([param(null), param(null)], 1)).toBe(0);
    expect(clipGradNorm([], 1)).toBe(0);
    const p = param([0.6, 0.8]);
    expect(clipGradNorm(p, 0.5)).toBeCloseTo(1, 7);
    expect(p.grad!.data[1]).toBeCloseTo(0.4, 6);
  });

  it('maxNorm 0 zeroes the gradients', () => {
    const p = param([1, -2]);
    expect(clipGradNorm([p], 0)).toBeCloseTo(Math.sqrt(5), 7);
    expect(Array.from(p.grad!.data)).toEqual([0, -0]);
  });

  it('non-finite norms: PyTorch 1.13 scales by them (NaN → NaN, ∞ → 0), errorIfNonfinite throws instead', () => {
    const nan = [param([1, NaN]), param([2])];
    expect(() => clipGradNorm(nan, 1, { errorIfNonfinite: true })).toThrow(
      new NonFiniteError('clipGradNorm: the total norm of order 2 of the gradients is non-finite (NaN), so they cannot be clipped; pass errorIfNonfinite: false to scale them by the non-finite norm anyway'),
    );
    expect(() => clipGradNorm(nan, 1, { errorIfNonfinite: true })).toThrow(KeelError);
    expect(Array.from(nan[1]!.grad!.data)).toEqual([2]); // nothing changed
    expect(clipGradNorm(nan, 1)).toBeNaN();
    expect(Array.from(nan[1]!.grad!.data)).toEqual([NaN]);

    const inf = [param([1, Infinity]), param([-2])];
    expect(() => clipGradNorm(inf, 1, { normType: 1, errorIfNonfinite: true })).toThrow(/order 1 of the gradients is non-finite \(Infinity\)/);
    expect(clipGradNorm(inf, 1, { normType: Infinity })).toBe(Infinity);
    expect(Array.from(inf[0]!.grad!.data)).toEqual([0, NaN]);
    expect(Array.from(inf[1]!.grad!.data)).toEqual([-0]);
  });

  it('bad arguments', () => {
    const ps = threeParams();
    expect(() => clipGradNorm(ps, -1)).toThrow(new OptionError('clipGradNorm: invalid maxNorm: -1 (must be >= 0)'));
    expect(() => clipGradNorm(ps, '1' as never)).toThrow(new OptionError('clipGradNorm: maxNorm must be a finite number, got "1"'));
    expect(() => clipGradNorm(ps, Infinity)).toThrow(new OptionError('clipGradNorm: maxNorm must be a finite number, got Infinity'));
    expect(() => clipGradNorm(ps, 1, { normType: 0 })).toThrow(new OptionError('clipGradNorm: invalid normType: 0 (must be > 0, or Infinity)'));
    expect(() => clipGradNorm(ps, 1, { normType: NaN })).toThrow(new OptionError('clipGradNorm: invalid normType: NaN (must be > 0, or Infinity)'));
    expect(() => clipGradNorm(ps, 1, { normType: '2' as never })).toThrow(new OptionError('clipGradNorm: normType must be a number > 0 or Infinity, got "2"'));
    expect(() => clipGradNorm(ps, 1, { norm_type: 2 } as never)).toThrow(new OptionError('clipGradNorm: unknown option "norm_type" (options are normType, errorIfNonfinite)'));
    expect(() => clipGradNorm(ps, 1, { errorIfNonfinite: 1 } as never)).toThrow(new OptionError('clipGradNorm: errorIfNonfinite must be a boolean, got 1'));
    expect(() => clipGradNorm(5 as never, 1)).toThrow(new OptionError('clipGradNorm: params must be a Tensor or an iterable of Tensors, got 5'));
    expect(() => clipGradNorm([ps[0]!, 3] as never, 1)).toThrow(new OptionError('clipGradNorm: params[1] is 3, not a Tensor'));
    expect(() => clipGradNorm([ps[0]!, ps[1]!, ps[0]!], 1)).toThrow(
      new OptionError('clipGradNorm: params[2] is the same tensor as params[0] (its gradient would be counted and changed twice)'),
    );
    expect(() => clipGradNorm(ps, -1)).toThrow(KeelError);
    const misfit = param([1, 2]);
    misfit.grad = new Tensor(Float32Array.of(1, 2), [2]);
    structuredClone(misfit.grad.data.buffer, { transfer: [misfit.grad.data.buffer as ArrayBuffer] }); // its array transferred away
    expect(() => clipGradNorm([ps[0]!, misfit], 1)).toThrow(new ShapeError('clipGradNorm: params[1] (shape [2]) has a gradient with 0 elements'));
    expect(() => clipGradNorm([misfit], 1)).toThrow(KeelError);
    // Nothing changed by the failed calls.
    expect(Array.from(ps[0]!.grad!.data)).toEqual([3, -4]);
  });
});

describe('clipGradValue', () => {
  it('clamps every element to [−c, c]; NaN and −0 stay; parameters without gradients are skipped', () => {
    const a = param([0.5, -2, 3, NaN, -0, 1]), b = param([-0.25, 7]), c = param(null);
    clipGradValue([a, b, c], 1);
    expect(Array.from(a.grad!.data)).toEqual([0.5, -1, 1, NaN, -0, 1]);
    expect(Array.from(b.grad!.data)).toEqual([-0.25, 1]);
    expect(c.grad).toBeNull();
  });

  it('the bound is clipValue rounded to float32', () => {
    const p = param([0.2, -0.2, 0.1, f32(0.1)]);
    clipGradValue(p, 0.1);
    expect(Array.from(p.grad!.data)).toEqual([f32(0.1), -f32(0.1), f32(0.1), f32(0.1)]);
    const q = param([5, -5]);
    clipGradValue([q], 0);
    expect(Array.from(q.grad!.data)).toEqual([0, -0]);
  });

  it('bad arguments', () => {
    const p = param([1]);
    expect(() => clipGradValue([p], -0.5)).toThrow(new OptionError('clipGradValue: invalid clipValue: -0.5 (must be >= 0)'));
    expect(() => clipGradValue([p], NaN)).toThrow(new OptionError('clipGradValue: clipValue must be a finite number, got NaN'));
    expect(() => clipGradValue(null as never, 1)).toThrow(new OptionError('clipGradValue: params must be a Tensor or an iterable of Tensors, got null'));
  });
});
