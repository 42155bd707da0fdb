// The random-shape sweep (scripts/sweep-shapes.ts, npm run test:shapes): a case of each kernel family
// passes on every native level, the same seed and index draw the same shapes, and it can fail — a
// kernel off the reference, one whose bits depend on the thread count, and one that throws are each
// reported with the case index that replays them.
import { describe, expect, it } from 'vitest';
import { type KernelSet, referenceKernels } from '../src/backend/kernel-set.js';
import { sweep, sweepCase } from '../scripts/sweep-shapes.js';
import { nativeSets } from './helpers/backends.js';

/** The reference with linearForward's output changed by `mutate` (given the thread count set). */
function tampered(mutate: (y: Float32Array, threads: number) => void) {
  let threads = 1;
  const linearForward: KernelSet['linearForward'] = (y, x, w, bias, params) => {
    referenceKernels.linearForward(y, x, w, bias, params);
    mutate(y as Float32Array, threads);
  };
  return { levels: [{ name: 'tampered', kernels: { ...referenceKernels, linearForward } }], setThreads: (t: number) => void (threads = t) };
}

/** The first case index (under seed 1) whose family is the linear one. */
const linearCase = Array.from({ length: 50 }, (_, i) => i).find((i) => sweepCase(1, i)[0]!.kernel === 'linearForward')!;

describe('random-shape sweep', () => {
  it.skipIf(nativeSets.length === 0)('passes a case of each family on every native level, 1 to 4 threads', () => {
    const cases = [0, 3, 6, 8]; // under seed 1: a convolution, BatchNorm, Linear, the elementwise kernels
    expect(cases.map((i) => sweepCase(1, i)[0]!.kernel)).toEqual(['conv1dForward', 'batchNorm1dTrainForward', 'linearForward', 'reluForward']);
    const r = sweep({ seed: 1, cases });
    expect(r.problems).toEqual([]);
    expect(r.cases).toBe(4);
    expect(r.levels).toEqual(nativeSets.map((s) => s.name));
    const calls = cases.reduce((n, i) => n + sweepCase(1, i).length, 0);
    expect(r.checks).toBe(calls * nativeSets.length * 4);
  });

  it('draws the same shapes from the same seed and index, other shapes from others', () => {
    expect(JSON.stringify(sweepCase(7, 3))).toBe(JSON.stringify(sweepCase(7, 3)));
    expect(JSON.stringify(sweepCase(7, 3))).not.toBe(JSON.stringify(sweepCase(8, 3)));
    expect(JSON.stringify(sweepCase(7, 3))).not.toBe(JSON.stringify(sweepCase(7, 4)));
  });

  it('reports an output off the reference by more than its tolerance', () => {
    const r = sweep({ seed: 1, cases: [linearCase], ...tampered((y) => void (y[0]! += 1e-2)) });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(new RegExp(`^tampered: y\\[0\\] = .*, the reference .*: case ${linearCase} linearForward`));
  });

  it('passes a difference inside the tolerance (float32 rounding of a long sum)', () => {
    const r = sweep({ seed: 1, cases: [linearCase], ...tampered((y) => void (y[0] = Math.fround(y[0]! * (1 + 2 ** -20)))) });
    expect(r.problems).toEqual([]);
  });

  it('reports bits that change with the thread count, naming the count', () => {
    const r = sweep({ seed: 1, cases: [linearCase], ...tampered((y, threads) => void (threads === 3 && (y[1] = Math.fround(y[1]! * (1 + 2 ** -23))))) });
    expect(r.problems).toEqual([expect.stringMatching(new RegExp(`^tampered: y with 3 threads differs from 1 thread: case ${linearCase} linearForward`))]);
  });

  it('reports a kernel that throws, and goes on', () => {
    const r = sweep({ seed: 1, cases: [linearCase], ...tampered(() => { throw new Error('boom'); }) });
    expect(r.problems).toEqual([expect.stringMatching(/^tampered with 1 thread: threw boom: case \d+ linearForward/)]);
    expect(r.cases).toBe(1);
  });
});
