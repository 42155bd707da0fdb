// Linear and ReLU parity: every native kernel set against the JS reference. Feature counts sweep
// 1..17 (every tail of 4/8/16 lanes) on both the reduced and the output dimension.
import { describe, it } from 'vitest';
import { nativeSets } from './helpers/backends.js';
import { expectParity } from './helpers/parity.js';

const linearCases = [
  ...Array.from({ length: 17 }, (_, i) => ({ batch: 3, inFeatures: i + 1, outFeatures: 17 - i, bias: i % 2 === 0 })),
  { batch: 1, inFeatures: 1, outFeatures: 1, bias: true },
  { batch: 0, inFeatures: 4, outFeatures: 3, bias: true },
  { batch: 13, inFeatures: 64, outFeatures: 33, bias: false },
  { batch: 5, inFeatures: 127, outFeatures: 10, bias: true },
];

describe.skipIf(nativeSets.length === 0).each(nativeSets)('linear parity: $name', (native) => {
  it.each(linearCases.map((c) => [`x(${c.batch},${c.inFeatures}) → ${c.outFeatures}${c.bias ? ' bias' : ''}`, c] as const))('%s', (label, c) => {
    const p = { batch: c.batch, inFeatures: c.inFeatures, outFeatures: c.outFeatures };
    const nx = c.batch * c.inFeatures, ny = c.batch * c.outFeatures, nw = c.outFeatures * c.inFeatures;
    expectParity(native, 'linearForward', label, [
      { name: 'y', kind: 'out', size: ny },
      { name: 'x', kind: 'in', size: nx },
      { name: 'w', kind: 'in', size: nw },
      c.bias ? { name: 'bias', kind: 'in', size: c.outFeatures } : { name: 'bias', kind: 'null', size: 0 },
    ], p);
    expectParity(native, 'linearBackwardData', label, [
      { name: 'dx', kind: 'out', size: nx },
      { name: 'dy', kind: 'in', size: ny },
      { name: 'w', kind: 'in', size: nw },
    ], p);
    expectParity(native, 'linearBackwardWeight', label, [
      { name: 'dw', kind: 'out', size: nw },
      { name: 'x', kind: 'in', size: nx },
      { name: 'dy', kind: 'in', size: ny },
    ], p);
    expectParity(native, 'linearBackwardBias', label, [
      { name: 'db', kind: 'out', size: c.outFeatures },
      { name: 'dy', kind: 'in', size: ny },
    ], p);
  });
});

const counts = [0, 1, ...Array.from({ length: 33 }, (_, i) => i + 2), 63, 64, 65, 1021, 4099];

describe.skipIf(nativeSets.length === 0).each(nativeSets)('relu parity: $name', (native) => {
  it.each(counts)('count %i', (count) => {
    expectParity(native, 'reluForward', `count ${count}`, [
      { name: 'y', kind: 'out', size: count },
      { name: 'x', kind: 'in', size: count },
    ], { count });
    expectParity(native, 'reluBackward', `count ${count}`, [
      { name: 'dx', kind: 'out', size: count },
      { name: 'dy', kind: 'in', size: count },
      { name: 'y', kind: 'in', size: count, shift: 0.2 },
    ], { count });
  });
});
