// The adamUpdate kernel: every native CPU level bit for bit equal to the reference (which
// src/optim/adam.ts's PyTorch golden tests pin), over every tail length and every option.
import { describe, it } from 'vitest';
import { nativeSets } from './helpers/backends.js';
import { expectParity } from './helpers/parity.js';

const f32 = Math.fround;
const base = {
  beta1: f32(0.9), beta2: f32(0.999), oneMinusBeta1: f32(0.1), oneMinusBeta2: f32(0.001), eps: f32(1e-8),
  c2Sqrt: f32(Math.sqrt(1 - 0.999 ** 3)), negStep: f32(-1e-3 / (1 - 0.9 ** 3)),
};
const options = [
  { weightDecay: 0, decay: 1, decoupled: false, maximize: false, amsgrad: false },
  { weightDecay: f32(1e-2), decay: 1, decoupled: false, maximize: true, amsgrad: false },
  { weightDecay: f32(1e-2), decay: f32(1 - 1e-3 * 1e-2), decoupled: true, maximize: false, amsgrad: true },
];

describe.skipIf(nativeSets.length === 0).each(nativeSets)('adamUpdate parity: $name', (native) => {
  it.each([0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000])('count %i, every option', (count) => {
    options.forEach((o, k) => {
      expectParity(native, 'adamUpdate', `count ${count} options ${k}`, [
        { name: 'param', kind: 'inout', size: count },
        { name: 'expAvg', kind: 'inout', size: count, scale: 0.01 },
        { name: 'expAvgSq', kind: 'inout', size: count, scale: 1e-4, shift: 1e-4 },
        o.amsgrad ? { name: 'maxExpAvgSq', kind: 'inout', size: count, scale: 1e-4, shift: 1.5e-4 } : { name: 'maxExpAvgSq', kind: 'null', size: 0 },
        { name: 'grad', kind: 'in', size: count, scale: 0.1 },
      ], { count, ...base, ...o });
    });
  });
});
