// The fused reference backward (batchNorm1dReluDropoutBackward, and …WithOutput given the forward's
// y) against float64 central finite differences of its forward (method and error budget in ./helpers/gradcheck.ts). All arrays are
// Float64Array, so the reference computes entirely in float64; the dropout mask is fixed by
// (seed, stream), and the ReLU kink is never within h of these random inputs.
import { describe, expect, it } from 'vitest';
import * as ref from '../src/ref/index.js';
import { gradcheck, rand64 } from './helpers/gradcheck.js';

type Inputs = Record<string, Float64Array>;

interface Case {
  batch: number;
  channels: number;
  length: number;
  training: boolean;
  affine: boolean;
  p: number;
}

const cases: Case[] = [
  { batch: 2, channels: 3, length: 4, training: true, affine: true, p: 0.3 },
  { batch: 3, channels: 2, length: 5, training: true, affine: false, p: 0.3 },
  { batch: 2, channels: 2, length: 6, training: true, affine: true, p: 0 },
  { batch: 4, channels: 2, length: 1, training: true, affine: true, p: 0.5 },
  { batch: 2, channels: 3, length: 4, training: false, affine: true, p: 0.3 },
  { batch: 2, channels: 2, length: 5, training: false, affine: false, p: 0 },
  { batch: 2, channels: 2, length: 3, training: true, affine: true, p: 1 },
];

const name = (c: Case) => `(${c.batch},${c.channels},${c.length}) ${c.training ? 'train' : 'eval'} p=${c.p} ${c.affine ? 'affine' : 'no-affine'}`;

describe.each([false, true])('gradcheck: batchNorm1dReluDropoutForward + backward (given the output: %s)', (withOutput) => {
  it.each(cases.map((c, i) => [name(c), c, i] as const))('%s', (_n, c, i) => {
    const seed = 500 + 10 * i, C = c.channels, nx = c.batch * C * c.length;
    const runningMean = rand64(C, seed + 5, 0.3), runningVar = rand64(C, seed + 6, 0.3, 1);
    const inputs: Inputs = { x: rand64(nx, seed, 1.5, 0.2) };
    if (c.affine) {
      inputs.weight = rand64(C, seed + 1, 0.5, 1);
      inputs.bias = rand64(C, seed + 2, 0.3);
    }
    const params = { batch: c.batch, channels: C, length: c.length, eps: 1e-5, momentum: 0.1, training: c.training, p: c.p, seed: 42, stream: 7 + i, offset: 3 };
    const forward = (v: Inputs) => {
      const y = new Float64Array(nx), mean = new Float64Array(C), invstd = new Float64Array(C);
      ref.batchNorm1dReluDropoutForward(y, mean, invstd, c.training ? null : runningMean, c.training ? null : runningVar, v.x!, v.weight ?? null, v.bias ?? null, params);
      return { y, mean, invstd };
    };
    const r = gradcheck({
      kernel: 'batchNorm1dReluDropout',
      case: name(c),
      inputs,
      shapes: { x: [c.batch, C, c.length] },
      seed: seed + 3,
      forward: (v) => forward(v).y,
      backward: (dy, v) => {
        const { y, mean, invstd } = forward(v);
        const dx = new Float64Array(nx), dw = c.affine ? new Float64Array(C) : null, db = c.affine ? new Float64Array(C) : null;
        if (withOutput) ref.batchNorm1dReluDropoutBackwardWithOutput(dx, dw, db, dy, v.x!, y, mean, invstd, v.weight ?? null, params);
        else ref.batchNorm1dReluDropoutBackward(dx, dw, db, dy, v.x!, mean, invstd, v.weight ?? null, v.bias ?? null, params);
        return (c.affine ? { x: dx, weight: dw!, bias: db! } : { x: dx }) as Inputs;
      },
    });
    if (c.p < 1) expect(Math.max(...r.analytic.x!.map(Math.abs)), 'max |dx|').toBeGreaterThan(1e-2);
    else expect(r.analytic.x!.every((v) => v === 0)).toBe(true);
  });
});
