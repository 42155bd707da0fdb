// The global generator: manualSeed makes every random tensor, init and dropout mask reproducible.
import { describe, expect, it } from 'vitest';
import { dropout } from '../../src/functional/dropout.js';
import { ones, rand, randn } from '../../src/tensor/create.js';
import { manualSeed, randperm } from '../../src/tensor/random.js';

describe('manualSeed', () => {
  it('makes randn, rand, randperm and dropout reproducible, and different seeds differ', () => {
    const draw = (seed: number) => {
      manualSeed(seed);
      return [randn([5]).toArray(), rand([5]).toArray(), Array.from(randperm(8)), dropout(ones([64]), 0.5).toArray()];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('successive calls draw different numbers', () => {
    manualSeed(1);
    expect(randn([4]).toArray()).not.toEqual(randn([4]).toArray());
  });

  it('randn is standard normal and rand uniform in [0, 1)', () => {
    manualSeed(3);
    const n = randn([100000]).data, u = rand([100000]).data;
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 0.5)).toBeLessThan(0.01);
  });

  it('randperm is a permutation', () => {
    manualSeed(4);
    expect([...randperm(100)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => manualSeed(-1)).toThrow('manualSeed: seed must be an integer in [0, 2^53 - 1], got -1');
    expect(() => manualSeed('7' as unknown as number)).toThrow('manualSeed: seed must be an integer in [0, 2^53 - 1], got "7"');
    expect(() => manualSeed(1.5)).toThrow('got 1.5');
  });
});
