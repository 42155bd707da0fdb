// augment.channelDropout: each (sample, channel) zeroed with probability p (binomial bound), survivors unscaled.
import { describe, expect, it } from 'vitest';
import { channelDropout } from '../../src/augment/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { row, series } from './helpers.js';

describe('augment.channelDropout', () => {
  it('zeroes whole channels at rate p and leaves the others exactly as they were (no 1/(1 − p) rescaling)', () => {
    manualSeed(12);
    const n = 1000, c = 14, l = 8, p = 0.1;
    const x = series(n, c, l, (i, ch, t) => 1 + i + ch + t);
    const out = channelDropout({ p }).apply(x).x;
    let dropped = 0, altered = 0;
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const r = row(out, i, ch), orig = row(x, i, ch);
        if (r.every((v) => v === 0)) dropped++;
        else if (r.some((v, t) => v !== orig[t])) altered++;
      }
    }
    expect(altered).toBe(0);
    const m = n * c;
    expect(Math.abs(dropped / m - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / m));
  });

  it('p = 0 keeps everything, p = 1 zeroes everything; defaults to p = 0.1', () => {
    const x = series(4, 3, 5, (i, ch, t) => 1 + i + ch + t);
    expect(channelDropout({ p: 0 }).apply(x).x.data).toEqual(x.data);
    expect(channelDropout({ p: 1 }).apply(x).x.data.every((v) => v === 0)).toBe(true);
    expect(channelDropout().toSpec()).toEqual({ type: 'channelDropout', options: { p: 0.1 } });
  });
});
