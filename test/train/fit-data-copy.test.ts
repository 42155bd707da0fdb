/**
 * Worker-mode fit copies data that is not on a SharedArrayBuffer onto one a 1 MB slice at a time, the
 * event loop free between slices (copyToShared in src/train/worker/portable.ts), so a large dataset
 * does not block the caller while it is copied: the copy is exact for every length, other callbacks run
 * between its slices, an abort stops it, a fit aborted during the copy trains nothing, and a source
 * transferred away during the copy is an error.
 */
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { fit, manualSeed, nn, randn } from '../../src/index.js';
import { copyToShared, type SharedCopies } from '../../src/train/worker/portable.js';
import { expectSameSnapshot, snapshot } from '../nn/helpers.js';

const SLICE = 1 << 18; // floats per slice (1 MB)

function pending(...lengths: number[]): SharedCopies {
  const copies: SharedCopies = new Map();
  lengths.forEach((n, k) => {
    const from = Float32Array.from({ length: n }, (_, i) => i * 0.5 + k);
    copies.set(from, new Float32Array(new SharedArrayBuffer(n * 4)));
  });
  return copies;
}

/** Counts how many times a self-rearming setImmediate runs until stop(). */
function immediateCounter(): { stop(): number } {
  let count = 0, running = true;
  const tick = () => {
    if (!running) return;
    count++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop() {
      running = false;
      return count;
    },
  };
}

describe('copyToShared', () => {
  it('copies every array exactly, whatever its length', async () => {
    const copies = pending(0, 1, SLICE - 1, SLICE, 2 * SLICE + 3);
    expect(await copyToShared(copies)).toBe(true);
    for (const [from, to] of copies) expect(Buffer.from(to.buffer as SharedArrayBuffer).equals(Buffer.from(from.buffer))).toBe(true);
  });

  it('a source transferred away during the copy is an error, not a copy that ends in zeros', async () => {
    const copies = pending(3 * SLICE);
    const [from] = [...copies.keys()];
    const copying = copyToShared(copies);
    await new Promise((resolve) => setImmediate(resolve));
    structuredClone(from!.buffer, { transfer: [from!.buffer as ArrayBuffer] });
    await expect(copying).rejects.toThrow(new StateError(
      `fit: an array of the training or validation data went from ${3 * SLICE} elements to 0 while fit copied it to its worker ` +
        '(was its buffer transferred, e.g. by postMessage?); nothing was trained. Keep the data as it is until fit resolves',
    ));
  });

  it('lets the event loop run between slices', async () => {
    const copies = pending(8 * SLICE);
    const counter = immediateCounter();
    await copyToShared(copies);
    expect(counter.stop()).toBeGreaterThanOrEqual(7); // one turn per slice after the first
  });

  it('stops at the next slice once the signal is aborted', async () => {
    const copies = pending(4 * SLICE);
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    expect(await copyToShared(copies, controller.signal)).toBe(false);
    const to = [...copies.values()][0]!;
    expect(to[1]).toBe(0.5); // the first slice was copied
    expect(to[4 * SLICE - 1]).toBe(0); // the last was not
  });
});

describe('fit aborted while its data is copied for the worker', () => {
  it('resolves aborted with nothing trained', async () => {
    manualSeed(3);
    const x = randn([4000, 14, 30]), y = randn([4000, 1]); // 6.7 MB: seven slices
    const model = nn.conv1dBackbone();
    const before = snapshot(model);
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    const history = await fit(model, { x, y, epochs: 1, worker: true, verbose: false, signal: controller.signal });
    expect(history.stopped).toBe('aborted');
    expect(history.epochs).toHaveLength(0);
    expectSameSnapshot(snapshot(model), before);
  });
});
