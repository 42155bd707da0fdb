// The parity harness must be able to fail: a kernel that is slightly wrong, that leaves an element
// unwritten, or that writes past its output is caught. Without this, a green parity run proves nothing.
import { describe, expect, it } from 'vitest';
import type { KernelSet } from '../src/backend/kernel-set.js';
import { referenceKernels } from '../src/backend/kernel-set.js';
import type { LinearParams } from '../src/ref/linear.js';
import { expectParity, type ArgSpec } from './helpers/parity.js';

const p: LinearParams = { batch: 3, inFeatures: 5, outFeatures: 4 };
const args: ArgSpec[] = [
  { name: 'y', kind: 'out', size: 12 },
  { name: 'x', kind: 'in', size: 15 },
  { name: 'w', kind: 'in', size: 20 },
  { name: 'bias', kind: 'null', size: 0 },
];

function broken(mutate: (y: Float32Array) => void): { name: string; kernels: KernelSet } {
  const linearForward: KernelSet['linearForward'] = (y, x, w, bias, params) => {
    referenceKernels.linearForward(y, x, w, bias, params);
    mutate(y);
  };
  return { name: 'broken', kernels: { ...referenceKernels, linearForward } };
}

describe('parity harness', () => {
  it('passes the reference against itself', () => {
    expect(() => expectParity({ name: 'ref-again', kernels: referenceKernels }, 'linearForward', 'self', args, p)).not.toThrow();
  });

  it('catches a value off by more than the tolerance, naming kernel, backend, case and index', () => {
    expect(() => expectParity(broken((y) => (y[7] = y[7]! + 1e-3)), 'linearForward', 'case A', args, p)).toThrow(
      /linearForward \[broken\] case A: y\[7\] expected .+, got .+/,
    );
  });

  it('catches an element left unwritten', () => {
    // Outputs start as NaN, so restoring NaN simulates a kernel that skips the last element.
    expect(() => expectParity(broken((y) => (y[11] = NaN)), 'linearForward', 'case B', args, p)).toThrow(/y\[11\]/);
  });

  it('catches a write past the end of an output', () => {
    const oob = broken((y) => {
      new Float32Array(y.buffer, y.byteOffset + y.byteLength, 1)[0] = 0;
    });
    expect(() => expectParity(oob, 'linearForward', 'case C', args, p)).toThrow('linearForward: wrote outside y');
  });
});
