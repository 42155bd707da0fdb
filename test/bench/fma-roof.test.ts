// The bench's FMA roof is the peak measured at the run's thread count, not one core's times the threads:
// this machine kind's 2 vCPUs have measured 452 GFLOP/s together and, an hour later, 229 (one core's
// worth), and a roof of 457 then would halve every "% FMA" figure. The report says when the threads
// fall short of that many cores, and when the peak moved between the start and the end of a run.
import { describe, expect, it } from 'vitest';
import { CASES } from '../../bench/cases.js';
import { type FmaFigure, fmaDriftWarning, fmaRoof, fmaShareWarning, machineJsonLines, type MachineFigures } from '../../bench/machine.js';
import { machineText, roofFraction } from '../../bench/report.js';

function machine(fma: Array<[isa: string, threads: number, gflops: number, when?: FmaFigure['when']]>): MachineFigures {
  return { stream: [], fma: fma.map(([isa, threads, gflops, when]) => ({ isa, threads, gflops, when: when ?? 'start' })), coreToCore: [], programs: {}, problems: [] };
}
const QUIET = machine([['avx512', 1, 228], ['avx2', 1, 114], ['avx512', 2, 452], ['avx2', 2, 226]]);
const SHARED = machine([['avx512', 1, 228], ['avx2', 1, 114], ['avx512', 2, 229], ['avx2', 2, 114]]);
const conv = CASES.find((c) => c.name === 'conv1d.fwd')!;

describe('the FMA roof', () => {
  it("is the best ISA's peak measured at the run's thread count", () => {
    expect(fmaRoof(QUIET, 2)).toMatchObject({ isa: 'avx512', threads: 2, gflops: 452 });
    expect(fmaRoof(SHARED, 2)).toMatchObject({ isa: 'avx512', threads: 2, gflops: 229 });
    expect(fmaRoof(SHARED, 1)).toMatchObject({ isa: 'avx512', threads: 1, gflops: 228 });
  });

  it("falls back to one thread's peak times the threads for a count not measured", () => {
    expect(fmaRoof(QUIET, 4)).toMatchObject({ isa: 'avx512', threads: 4, gflops: 912 });
    expect(fmaRoof(null, 2)).toBeUndefined();
  });

  it('is what the fraction of a GFLOP/s case is taken of', () => {
    // conv1d.fwd counts 2*32*128*512*128*3 = 1.61 GFLOP: 8 ms is 201 GFLOP/s.
    const quiet = roofFraction(conv, 8, 2, QUIET)!, shared = roofFraction(conv, 8, 2, SHARED)!;
    expect(quiet.of).toBe('FMA');
    expect(quiet.fraction).toBeCloseTo(201.3 / 452, 2);
    expect(shared.fraction).toBeCloseTo(201.3 / 229, 2);
  });
});

describe('the warnings of a shared host', () => {
  it('says when the threads reached less than that many cores', () => {
    expect(fmaShareWarning(QUIET, 2)).toBeUndefined();
    expect(fmaShareWarning(SHARED, 1)).toBeUndefined();
    const w = fmaShareWarning(SHARED, 2)!;
    expect(w).toMatch(/^WARNING: 2 threads reached 1\.00x one thread's FMA peak/);
    const text = machineText(SHARED, 2);
    expect(text).toContain(w);
    expect(text.join('\n')).toContain('(roof used: avx512 229.0 at 2 threads)');
    expect(machineText(QUIET, 2).join('\n')).not.toContain('WARNING');
  });

  it('says when the peak after the cases is more than 15% off the one before', () => {
    const steady = machine([['avx512', 2, 452], ['avx512', 2, 430, 'end']]);
    const moved = machine([['avx512', 2, 452], ['avx512', 2, 229, 'end'], ['avx2', 2, 114, 'end']]);
    expect(fmaDriftWarning(steady, 2)).toBeUndefined();
    expect(fmaDriftWarning(QUIET, 2)).toBeUndefined(); // not measured again
    expect(fmaDriftWarning(moved, 2)).toMatch(/moved from 452\.0 GFLOP\/s before the cases to 229\.0 after them/);
    expect(machineText(moved, 2).join('\n')).toContain('again after the cases, 2 threads: avx512 229.0, avx2 114.0');
  });

  it('puts the figures after the cases in the JSON lines, marked', () => {
    const moved = machine([['avx512', 1, 228], ['avx512', 2, 229, 'end']]);
    expect(machineJsonLines(moved, 'end').map((l) => JSON.parse(l))).toEqual([
      { case: 'machine.fma_peak', impl: 'avx512', gflops: 229, threads: 2, when: 'end' },
    ]);
    expect(machineJsonLines(moved)).toHaveLength(2);
  });
});
