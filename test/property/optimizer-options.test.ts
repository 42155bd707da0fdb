/**
 * Property tests of the optimisers' options (fast-check): SGD, Adam and AdamW built from random
 * options — valid values, values out of range, NaN and infinities, wrong types, snake_case and
 * misspelt keys — given as the defaults or as a parameter group. An independent model of the
 * documented rules says which are valid: those construct and step (finite parameters, unchanged bit
 * for bit when lr is 0, changed otherwise); the rest throw an OptionError (a KeelError) naming the
 * offending option, and leave the parameters alone. Fixed seed (./runs.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeelError, OptionError } from '../../src/errors.js';
import { Adam } from '../../src/optim/adam.js';
import { AdamW } from '../../src/optim/adamw.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { SGD } from '../../src/optim/sgd.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { runs } from './runs.js';

type Options = Record<string, unknown>;

const bad = fc.constantFrom<unknown>(-1, -1e-9, NaN, Infinity, -Infinity, '0.1', null, [0.1], true);
const nonNegative = fc.oneof(fc.constant(0), fc.double({ min: 1e-4, max: 10, noNaN: true }));
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.option(fc.oneof({ weight: 4, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: bad }), { nil: undefined });
/**
 * An extra key: a tag (refused in the options, kept in a group: groups carry users' tags), a typo
 * of one of the family's options (a letter or two off: refused in both, see Family.typos), or
 * PyTorch's snake_case name of an option (refused in both, with the camelCase name suggested).
 */
const extraKey = fc.option(fc.constantFrom('name', 'weight_decay', 'lrr', 'momentun', 'betas1'), { nil: undefined });

const finiteNonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

interface Family {
  name: string;
  make: (params: ConstructorParameters<typeof SGD>[0], options: Options) => Optimizer;
  options: fc.Arbitrary<Options>;
  /** The offending options of `o` under the documented rules (empty if `o` is valid). */
  offences: (o: Options) => string[];
  /** The extra keys that are typos of this family's options, so refused in a group too. */
  typos: string[];
}

const sgd: Family = {
  name: 'SGD',
  make: (params, o) => new SGD(params, o),
  options: fc.record({
    lr: fc.option(fc.oneof({ weight: 6, arbitrary: nonNegative }, { weight: 1, arbitrary: bad }), { nil: undefined }),
    momentum: maybe(nonNegative),
    dampening: maybe(fc.constantFrom(0, 0.1, -0.5)),
    weightDecay: maybe(nonNegative),
    nesterov: maybe(fc.boolean()),
    maximize: maybe(fc.boolean()),
  }),
  offences: (o) => {
    const out = finiteNonNegative(o.lr) ? [] : ['lr'];
    for (const k of ['momentum', 'weightDecay']) if (o[k] !== undefined && !finiteNonNegative(o[k])) out.push(k);
    if (o.dampening !== undefined && !(typeof o.dampening === 'number' && Number.isFinite(o.dampening))) out.push('dampening');
    for (const k of ['nesterov', 'maximize']) if (o[k] !== undefined && typeof o[k] !== 'boolean') out.push(k);
    if (o.nesterov === true && !((o.momentum as number) > 0 && (o.dampening ?? 0) === 0)) out.push('Nesterov');
    return out;
  },
  typos: ['lrr', 'momentun'],
};

const betas = fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 0.9999, noNaN: true }));
const adamOptions = fc.record({
  lr: maybe(nonNegative),
  betas: maybe(betas),
  eps: maybe(fc.constantFrom(1e-8, 1e-3, 0)),
  weightDecay: maybe(nonNegative),
  amsgrad: maybe(fc.boolean()),
  maximize: maybe(fc.boolean()),
});
const adamOffences = (o: Options): string[] => {
  const out: string[] = [];
  for (const k of ['lr', 'eps', 'weightDecay']) if (o[k] !== undefined && !finiteNonNegative(o[k])) out.push(k);
  if (o.betas !== undefined && !(Array.isArray(o.betas) && o.betas.length === 2 && o.betas.every((b) => typeof b === 'number' && b >= 0 && b < 1))) out.push('beta');
  for (const k of ['amsgrad', 'maximize']) if (o[k] !== undefined && typeof o[k] !== 'boolean') out.push(k);
  return out;
};
const adam: Family = { name: 'Adam', make: (params, o) => new Adam(params, o), options: adamOptions, offences: adamOffences, typos: ['lrr', 'betas1'] };
const adamw: Family = { name: 'AdamW', make: (params, o) => new AdamW(params, o), options: adamOptions, offences: adamOffences, typos: ['lrr', 'betas1'] };

describe('optimiser options', () => {
  // Found by the property below: AdamW used to turn weightDecay: null into its default.
  it('AdamW refuses weightDecay: null with an OptionError, as Adam does', () => {
    expect(() => new AdamW([randn([2], { requiresGrad: true })], { weightDecay: null as unknown as number })).toThrow(OptionError);
  });

  for (const family of [sgd, adam, adamw]) {
    it(`${family.name}: valid options step to finite parameters, invalid ones throw a typed error naming the option`, () => {
      fc.assert(
        fc.property(family.options, extraKey, fc.boolean(), fc.nat(1000), (drawn, extra, asGroup, seed) => {
          const options: Options = Object.fromEntries(Object.entries(drawn).filter(([, v]) => v !== undefined));
          if (extra) options[extra] = 0.5;
          manualSeed(seed);
          const params = [randn([3, 2], { requiresGrad: true }), randn([4], { requiresGrad: true })];
          const before = params.map((p) => p.data.slice());
          const offences = family.offences(options);
          if (extra && (!asGroup || extra === 'weight_decay' || family.typos.includes(extra))) offences.push(extra);

          let opt: Optimizer;
          try {
            opt = asGroup ? family.make([{ params, ...options }], {}) : family.make(params, options);
          } catch (e) {
            expect(offences, `threw ${String(e)}`).not.toEqual([]);
            expect(e instanceof OptionError && e instanceof KeelError, String(e)).toBe(true);
            expect(offences.some((k) => (e as Error).message.includes(k)), `${String(e)} names one of ${offences.join(', ')}`).toBe(true);
            params.forEach((p, i) => expect(Buffer.compare(Buffer.from(p.data.buffer), Buffer.from(before[i]!.buffer))).toBe(0));
            return;
          }
          expect(offences, 'constructed').toEqual([]);
          // Two steps (the second uses the state the first made); the first must move some element
          // iff lr > 0 (two steps of sign-like Adam updates can cancel exactly).
          const lr = opt.paramGroups[0]!.lr;
          for (let step = 0; step < 2; step++) {
            for (const p of params) p.grad = randn(p.shape);
            opt.step();
            if (step === 0) {
              const moved = params.some((p, i) => Buffer.compare(Buffer.from(p.data.buffer), Buffer.from(before[i]!.buffer)) !== 0);
              expect(moved, `lr ${lr}: parameters ${lr === 0 ? 'unchanged' : 'changed'}`).toBe(lr > 0);
            }
          }
          for (const p of params) expect(p.data.every(Number.isFinite), 'finite parameters').toBe(true);
        }),
        runs(500),
      );
    });
  }
});
