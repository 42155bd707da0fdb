// Who may write a gradient array: the engine adds into, hands to leaves without a copy, and
// recycles only arrays an op's backward returned fresh; the user's gradient and arrays handed to
// two inputs are never written, adopted or recycled. Large arrays are pooled (src/tensor/storage.ts);
// releaseGrad (fit's zeroGrad) returns a leaf's gradient to the pool only when the engine made it.
import { afterEach, describe, expect, it } from 'vitest';
import { tensor } from '../../src/tensor/create.js';
import { loadedBackend } from '../../src/backend/index.js';
import { clearStoragePool, emptyFloat32, recycleFloat32, storagePoolBytes, zerosFloat32 } from '../../src/tensor/storage.js';
import { fromOp, releaseGrad, Tensor } from '../../src/tensor/tensor.js';

const BIG = 1 << 10; // the pool's smallest length

/** y = 2x, whose backward returns a fresh 2g (from the library's allocator, as kernel ops do). */
function double(x: Tensor): Tensor {
  return fromOp('double', x.data.map((v) => 2 * v), x.shape, [x], (g) => {
    const d = emptyFloat32(g.length);
    g.forEach((v, i) => (d[i] = 2 * v));
    return [d];
  });
}

/** y = a + b, whose backward hands the SAME fresh array to both inputs. */
function addSharingGrad(a: Tensor, b: Tensor): Tensor {
  return fromOp('add', a.data.map((v, i) => v + b.data[i]!), a.shape, [a, b], (g) => {
    const d = Float32Array.from(g);
    return [d, d];
  });
}

afterEach(() => clearStoragePool());

describe('gradient ownership', () => {
  it('never writes or adopts the gradient passed to backward()', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const g = tensor([1, 1, 1]);
    x.reshape(3).backward(g);
    expect(x.grad!.data).not.toBe(g.data);
    x.reshape(3).backward(g);
    expect(Array.from(x.grad!.data)).toEqual([2, 2, 2]);
    expect(Array.from(g.data)).toEqual([1, 1, 1]);
  });

  it('adopts a fresh gradient as a leaf .grad, then accumulates into it on the next backward', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    double(x).backward(tensor([1, 1]));
    const first = x.grad!.data;
    expect(Array.from(first)).toEqual([2, 2]);
    double(x).backward(tensor([1, 1]));
    expect(x.grad!.data).toBe(first);
    expect(Array.from(first)).toEqual([4, 4]);
  });

  it('gives two leaves independent gradients when an op returns one array for both', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true }), b = tensor([3, 4], undefined, { requiresGrad: true });
    double(addSharingGrad(a, b)).backward(tensor([1, 1]));
    expect(a.grad!.data).not.toBe(b.grad!.data);
    a.grad!.data[0] = 100;
    expect(Array.from(b.grad!.data)).toEqual([2, 2]);
  });

  it('sums a shared array once per path when the same leaf is both inputs', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    addSharingGrad(a, a).backward(tensor([1, 1]));
    expect(Array.from(a.grad!.data)).toEqual([2, 2]);
  });

  it('gets diamond-shaped graphs right while recycling the intermediate gradients', () => {
    const x = tensor(Array.from({ length: BIG }, (_, i) => i % 7), [BIG], { requiresGrad: true });
    const h = double(x);
    const y = addSharingGrad(double(h), h); // y = 4x + 2x
    y.backward(tensor(new Float32Array(BIG).fill(1)));
    expect(x.grad!.data.every((v) => v === 6)).toBe(true);
    expect(storagePoolBytes()).toBeGreaterThan(0); // h's gradient came back to the pool
  });
});

describe('storage pool', () => {
  it('zero-fills small arrays and gives large ones the requested length', () => {
    expect(Array.from(emptyFloat32(4))).toEqual([0, 0, 0, 0]);
    expect(emptyFloat32(BIG).length).toBe(BIG);
    expect(zerosFloat32(BIG).every((v) => v === 0)).toBe(true);
  });

  it.runIf(loadedBackend.addon)('starts large arrays on a 64-byte line (native backend)', () => {
    for (const a of [emptyFloat32(BIG), zerosFloat32(BIG + 3), emptyFloat32(3 * BIG + 1)]) {
      expect(a.byteOffset).toBe(loadedBackend.addon!.alignmentOffset(a.buffer as ArrayBuffer));
    }
  });

  it('hands a recycled array to the next request of its length, and only of its length', () => {
    const a = emptyFloat32(BIG);
    recycleFloat32(a);
    expect(storagePoolBytes()).toBe(a.byteLength);
    expect(emptyFloat32(BIG + 1)).not.toBe(a);
    expect(emptyFloat32(BIG)).toBe(a);
    expect(storagePoolBytes()).toBe(0);
  });

  it('pools arrays from a page up: a (64, 64, 3) convolution weight gradient comes back, a 1023-float vector does not', () => {
    const dw = emptyFloat32(64 * 64 * 3);
    recycleFloat32(dw);
    expect(emptyFloat32(64 * 64 * 3)).toBe(dw);
    recycleFloat32(emptyFloat32(BIG - 1));
    expect(storagePoolBytes()).toBe(0);
  });

  it('takes back only large arrays it made (a view may share its buffer)', () => {
    recycleFloat32(emptyFloat32(16));
    recycleFloat32(new Float32Array(BIG));
    recycleFloat32(emptyFloat32(2 * BIG).subarray(0, BIG));
    expect(storagePoolBytes()).toBe(0);
  });

  it('releaseGrad clears .grad and pools the array only when the engine adopted it', () => {
    const x = new Tensor(new Float32Array(BIG).fill(1), [BIG], { requiresGrad: true });
    double(x).backward(new Tensor(new Float32Array(BIG).fill(1), [BIG]));
    const adopted = x.grad!.data;
    releaseGrad(x);
    expect(x.grad).toBeNull();
    expect(emptyFloat32(BIG), 'the next gradient of that length reuses it').toBe(adopted);
    // A gradient the user assigned (even a keel op's output, from the same allocator) is only dropped.
    const mine = double(new Tensor(new Float32Array(BIG), [BIG]));
    x.grad = mine;
    releaseGrad(x);
    expect(x.grad).toBeNull();
    expect(storagePoolBytes()).toBe(0);
    expect(emptyFloat32(BIG)).not.toBe(mine.data);
  });

  it('holds at most 64 MB', () => {
    const arrays = Array.from({ length: 80 }, () => emptyFloat32(1 << 18)); // 1 MB each
    arrays.forEach(recycleFloat32);
    expect(storagePoolBytes()).toBe(64 << 20);
  });

  // A long-lived process: one model filled the pool, then another trains with other shapes.
  it('when full, makes room for new lengths once the lengths it holds go unrequested (1024 requests)', () => {
    Array.from({ length: 64 }, () => emptyFloat32(1 << 18)).forEach(recycleFloat32);
    let reused = 0;
    for (let i = 0; i < 1100; i++) {
      const a = emptyFloat32(BIG);
      recycleFloat32(a);
      if (emptyFloat32(BIG) === a) reused++;
      recycleFloat32(a);
    }
    expect(reused).toBeGreaterThan(0);
    expect(reused, 'none while the old arrays were recent').toBeLessThan(1100);
    expect(storagePoolBytes(), 'the stale arrays are gone, not just one of them').toBe(BIG * 4);
  });

  it('keeps what it holds while every length is in use: a working set past 64 MB does not churn', () => {
    const lengths = [1 << 18, (1 << 18) + 16]; // 40 arrays of each, ~1 MB: 80 MB a step
    let pooled = new Set<Float32Array>();
    const step = (): number => {
      const arrays = lengths.flatMap((n) => Array.from({ length: 40 }, () => emptyFloat32(n)));
      arrays.forEach(recycleFloat32);
      const hits = arrays.filter((a) => pooled.has(a)).length;
      pooled = new Set(arrays);
      return hits;
    };
    step();
    const first = step();
    expect(first).toBe(63); // 40 of 1 MB and 23 of 1 MB + 64 bytes fit
    for (let i = 0; i < 40; i++) expect(step()).toBe(first); // 3,200 requests
  });
});
