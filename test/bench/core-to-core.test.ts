// The benches report how far apart two CPUs are (one cache line's round trip between two pinned
// threads), because a host moves this machine kind's two vCPUs between a shared L3 (~120 ns) and two
// (~470 ns) every few minutes, and a copy's bandwidth and onnxruntime-node's eval time follow. This
// runs the real program, and checks the report's line and the warning when the placement changed
// during a run.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type CoreToCoreFigure, machineJsonLines, type MachineFigures, measureCoreToCore, placementWarning } from '../../bench/machine.js';
import { machineText } from '../../bench/report.js';

function machine(...ns: Array<[ns: number, when: CoreToCoreFigure['when']]>): MachineFigures {
  return {
    stream: [], fma: [], programs: {}, problems: [],
    coreToCore: ns.map(([nsMedian, when]) => ({ cpus: [0, 1], pinned: true, nsMedian, nsBest: nsMedian - 5, when })),
  };
}

describe.skipIf(availableParallelism() < 2)('the core-to-core program', () => {
  it('measures one round trip between two different CPUs', () => {
    const [f, ...rest] = measureCoreToCore('start');
    expect(rest).toEqual([]);
    expect(f!.cpus[0]).not.toBe(f!.cpus[1]);
    if (process.platform === 'linux') expect(f!.pinned).toBe(true);
    // Anything from a shared L2 (tens of ns) to two sockets (~1 us); a figure outside is a broken loop.
    expect(f!.nsMedian).toBeGreaterThan(5);
    expect(f!.nsMedian).toBeLessThan(20_000);
    expect(f!.nsBest).toBeLessThanOrEqual(f!.nsMedian);
    expect(f!.when).toBe('start');
  });
});

describe('the placement in the report', () => {
  it('prints the round trip before and after the cases', () => {
    const text = machineText(machine([121, 'start'], [468, 'end']), 2).join('\n');
    expect(text).toContain("machine core-to-core (one cache line's round trip between CPUs 0 and 1; median of reps): 121 ns; again after the cases: 468 ns");
    expect(machineText(machine(), 1).join('\n')).not.toContain('core-to-core');
  });

  it('warns when the round trip changed by more than 1.5 times during the run', () => {
    expect(placementWarning(machine([121, 'start']))).toBeUndefined();
    expect(placementWarning(machine([121, 'start'], [150, 'end']))).toBeUndefined();
    expect(placementWarning(machine([468, 'start'], [121, 'end']))).toMatch(
      /^WARNING: the round trip of a cache line between CPUs 0 and 1 went from 468 ns before the cases to 121 ns after them/,
    );
    expect(placementWarning(machine([121, 'start'], [468, 'end']))).toMatch(/went from 121 ns .* to 468 ns/);
  });

  it('puts both figures in the JSON lines, the end one alone in the part after the cases', () => {
    const m = machine([121, 'start'], [468, 'end']);
    expect(machineJsonLines(m).map((l) => JSON.parse(l))).toHaveLength(2);
    expect(machineJsonLines(m, 'end').map((l) => JSON.parse(l))).toEqual([
      { case: 'machine.core_to_core', impl: 'round_trip', ns: 468, ns_best: 463, cpus: [0, 1], pinned: true, when: 'end' },
    ]);
  });
});
