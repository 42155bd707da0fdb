// augment.timeShift: whole-step shifts uniform in [−D, D], the same for every channel, with the vacated steps filled by mode.
import { describe, expect, it } from 'vitest';
import { timeShift } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { meanVar, row, series } from './helpers.js';

const n = 1000, c = 2, l = 20;
// Ramps 1..L (no zero, so 'constant' padding is visible).
const ramp = series(n, c, l, (_, ch, t) => 1 + t + 100 * ch);

describe('augment.timeShift', () => {
  it("'replicate' (default): y[t] = x[clamp(t − d)], with d uniform in [−⌊maxShift·L⌋, ⌊maxShift·L⌋]", () => {
    manualSeed(6);
    const out = timeShift({ maxShift: 0.2 }).apply(ramp).x;
    const shifts: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = row(out, i, 0);
      // The shift is where the ramp's middle value 1 + 10 ended up.
      const d = r.findIndex((v) => v === 11) - 10;
      expect(r).toEqual(r.map((_, t) => 1 + Math.min(Math.max(t - d, 0), l - 1)));
      expect(row(out, i, 1)).toEqual(r.map((v) => v + 100));
      shifts.push(d);
    }
    expect(new Set(shifts)).toEqual(new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4]));
    // Uniform on 9 values: mean 0, variance (9² − 1)/12.
    expect(Math.abs(meanVar(shifts).mean)).toBeLessThan((5 * Math.sqrt(80 / 12)) / Math.sqrt(n));
  });

  it("'constant' fills zeros and 'circular' rolls", () => {
    manualSeed(6);
    const zeros = timeShift({ maxShift: 0.2, mode: 'constant' }).apply(ramp).x;
    manualSeed(6);
    const rolled = timeShift({ maxShift: 0.2, mode: 'circular' }).apply(ramp).x;
    let shifted = 0;
    for (let i = 0; i < n; i++) {
      const z = row(zeros, i, 0), r = row(rolled, i, 0);
      const d = r.indexOf(1); // where x[0] went (the same seed gives the same shifts)
      const dd = d > l / 2 ? d - l : d;
      expect(r).toEqual(r.map((_, t) => 1 + ((((t - dd) % l) + l) % l)));
      expect(z).toEqual(z.map((_, t) => (t - dd >= 0 && t - dd < l ? 1 + t - dd : 0)));
      if (dd !== 0) shifted++;
    }
    expect(shifted).toBeGreaterThan(n / 2);
  });

  it('maxShift 0 is the identity; defaults are maxShift 0.1, replicate', () => {
    expect(timeShift({ maxShift: 0 }).apply(ramp).x.data).toEqual(ramp.data);
    expect(timeShift().toSpec()).toEqual({ type: 'timeShift', options: { maxShift: 0.1, mode: 'replicate', p: 1 } });
  });
});
