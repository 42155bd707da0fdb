// The search space: the grid is every combination in product order (last key fastest), random search
// draws distinct grid points reproducibly from its seed, and bad spaces throw naming the key.
import { describe, expect, it } from 'vitest';
import { KeelError, OptionError } from '../../src/errors.js';
import { DEFAULT_CONFIG, grid, randomConfigs, TUNE_KEYS } from '../../src/tune/space.js';

const key = (c: object) => JSON.stringify(c);

describe('grid', () => {
  it('enumerates every combination in product order, the last key varying fastest', () => {
    const g = grid({ dropout: [0, 0.3], weightDecay: [0, 0.01, 0.1], batchSize: [64, 128] });
    expect(g).toHaveLength(12);
    expect(new Set(g.map(key)).size).toBe(12);
    expect(g.slice(0, 3).map((c) => [c.dropout, c.weightDecay, c.batchSize])).toEqual([[0, 0, 64], [0, 0, 128], [0, 0.01, 64]]);
    expect(g.at(-1)).toEqual({ ...DEFAULT_CONFIG, dropout: 0.3, weightDecay: 0.1, batchSize: 128 });
    expect(Object.keys(g[0]!)).toEqual([...TUNE_KEYS]);
  });

  it('rejects a hole in a list, naming the key and the index (a hole is not a value to try)', () => {
    // eslint-disable-next-line no-sparse-arrays
    for (const [space, message] of [[{ dropout: [0, , 0.3] }, 'space.dropout must be an array of numbers in [0, 1] without holes, got a hole at index 1 of 3'],
      // eslint-disable-next-line no-sparse-arrays
      [{ lr: [1e-3, 1e-2, ,] }, 'space.lr must be an array of finite numbers > 0 without holes, got a hole at index 2 of 3'],
      [{ batchSize: new Array(2) }, 'space.batchSize must be an array of positive integers without holes, got a hole at index 0 of 2']] as const) {
      expect(() => grid(space as never)).toThrow(OptionError);
      expect(() => grid(space as never)).toThrow(`grid: ${message}`);
      expect(() => randomConfigs(space as never, 1)).toThrow(message);
    }
  });

  it('fills left-out keys with keel train defaults', () => {
    expect(grid({})).toEqual([DEFAULT_CONFIG]);
  });

  it.each([
    [{ dropuot: [0.1] }, /unknown option "dropuot"/],
    [{ dropout: [] }, /space\.dropout must be a non-empty array of numbers in \[0, 1\]/],
    [{ dropout: [1.5] }, /space\.dropout must be .* got/],
    [{ lr: [0] }, /space\.lr must be a non-empty array of finite numbers > 0/],
    [{ batchSize: [32.5] }, /space\.batchSize must be a non-empty array of positive integers/],
    [{ weightDecay: [0.1, 0.1] }, /space\.weightDecay lists a value twice/],
  ])('rejects %j', (space, message) => {
    expect(() => grid(space as never)).toThrow(message);
    expect(() => grid(space as never)).toThrow(OptionError);
    expect(() => grid(space as never)).toThrow(KeelError);
  });
});

describe('randomConfigs', () => {
  const space = { dropout: [0, 0.15, 0.3], weightDecay: [0, 0.01, 0.1], lr: [3e-4, 1e-3, 3e-3] };

  it('draws distinct grid points, the same for the same seed', () => {
    const a = randomConfigs(space, 5, 7);
    expect(a).toEqual(randomConfigs(space, 5, 7));
    expect(new Set(a.map(key)).size).toBe(5);
    const all = new Set(grid(space).map(key));
    for (const c of a) expect(all.has(key(c))).toBe(true);
    expect(randomConfigs(space, 8, 7).slice(0, 5)).toEqual(a); // more trials only append
    expect(randomConfigs(space, 5, 8)).not.toEqual(a);
  });

  it('all of the grid is a permutation of the grid', () => {
    expect(randomConfigs(space, 27, 1).map(key).sort()).toEqual(grid(space).map(key).sort());
  });

  it('refuses more trials than combinations', () => {
    expect(() => randomConfigs(space, 28)).toThrow('randomConfigs: trials must not exceed the 27 combinations of the space (use the grid), got 28');
  });
});
