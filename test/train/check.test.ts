/**
 * check(model, { input }): each pitfall rule fires on a small model that has the mistake and stays
 * silent on the correct version (the §1 backbone with its defaults and the 784→512→256→10 MLP give
 * no findings); dotted names through nested Sequentials and named children; a custom module whose
 * forward runs its children in another order than it registered them, read exactly with an input;
 * a failing forward names the module; check changes nothing (bitwise); warnFindings emits one
 * warning per finding with the right code; bad arguments throw.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeelError, OptionError, ShapeError } from '../../src/errors.js';
import { mul, sum } from '../../src/functional/arithmetic.js';
import * as nn from '../../src/nn/index.js';
import { check, warnFindings, warningCode, type Finding } from '../../src/train/check.js';
import { ones, randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { bytes, expectSameSnapshot, snapshot } from '../nn/helpers.js';

const bad = (v: unknown) => v as never;

/** The findings as [code, modules] pairs, to compare whole results at once. */
const brief = (fs: Finding[]) => fs.map((f) => [f.code, f.modules]);

function mlp(): nn.Sequential {
  return new nn.Sequential(
    new nn.Linear(784, 512, { bias: false }), new nn.BatchNorm1d(512), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(512, 256, { bias: false }), new nn.BatchNorm1d(256), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(256, 10),
  );
}

/** A module with its own forward that runs its children in another order than it registered them. */
class Reordered extends nn.Module {
  readonly norm: nn.BatchNorm1d;
  readonly drop: nn.Dropout;
  readonly proj: nn.Linear;
  constructor() {
    super();
    this.norm = this.registerModule('norm', new nn.BatchNorm1d(8));
    this.drop = this.registerModule('drop', new nn.Dropout(0.4));
    this.proj = this.registerModule('proj', new nn.Linear(4, 8, { bias: false }));
  }
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.drop.forward(this.proj.forward(x)));
  }
  toJSON(): nn.ModuleJSON {
    return { type: 'Reordered' };
  }
}

/** Named children: features (a Sequential) and head, so names read "features.1". */
class Named extends nn.Module {
  constructor(readonly features: nn.Sequential, readonly head: nn.Module) {
    super();
    this.registerModule('features', features);
    this.registerModule('head', head);
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(this.features.forward(x));
  }
  toJSON(): nn.ModuleJSON {
    return { type: 'Named' };
  }
}

describe('correct models give no findings', () => {
  it('the §1 backbone with its defaults (Conv1d bias false → BN → ReLU → Dropout 0.15; head Dropout 0.5)', () => {
    manualSeed(0);
    const model = nn.conv1dBackbone({ inChannels: 14, window: 30 });
    // The defaults the rules are checked against.
    expect(model.length).toBe(17);
    for (const i of [0, 4, 8]) expect((model.at(i) as nn.Conv1d).bias).toBeNull();
    for (const i of [3, 7, 11]) expect((model.at(i) as nn.Dropout).p).toBe(0.15);
    expect((model.at(15) as nn.Dropout).p).toBe(0.5);
    expect(check(model)).toEqual([]);
    expect(check(model, { batchSize: 64 })).toEqual([]);
    expect(check(model, { input: randn([8, 14, 30]) })).toEqual([]);
  });

  it('the 784→512→256→10 MLP: Linear(bias false) → BN → ReLU → Dropout(0.5)', () => {
    manualSeed(0);
    const model = mlp();
    expect(check(model)).toEqual([]);
    expect(check(model, { batchSize: 128 })).toEqual([]);
    expect(check(model, { input: randn([8, 784]) })).toEqual([]);
  });
});

describe('dropout-before-batchnorm', () => {
  it('fires for Dropout → BatchNorm1d, naming both', () => {
    const model = new nn.Sequential(new nn.Conv1d(4, 8, 3, { bias: false }), new nn.Dropout(0.2), new nn.BatchNorm1d(8), new nn.ReLU());
    const fs = check(model);
    expect(brief(fs)).toEqual([['dropout-before-batchnorm', ['1', '2']]]);
    expect(fs[0]!.message).toContain('Dropout(p=0.2) at "1" feeds BatchNorm1d(8) at "2"');
    expect(fs[0]!.message).toContain('variance shift');
    expect(fs[0]!.fix.length).toBeGreaterThan(0);
  });

  it('fires through layers that do not mix units (ReLU, MaxPool1d) and for Dropout1d', () => {
    const model = new nn.Sequential(
      new nn.Conv1d(4, 8, 3, { padding: 1, bias: false }), new nn.Dropout1d(0.2), new nn.ReLU(), new nn.MaxPool1d(2), new nn.BatchNorm1d(8),
    );
    expect(brief(check(model)).filter(([c]) => c === 'dropout-before-batchnorm')).toEqual([['dropout-before-batchnorm', ['1', '4']]]);
  });

  it('does not fire with a Conv1d or Linear in between, for p = 0, or for a BatchNorm without running statistics', () => {
    const block = () => [new nn.Conv1d(8, 8, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(8), new nn.ReLU()];
    expect(check(new nn.Sequential(...block(), new nn.Dropout(0.2), ...block()))).toEqual([]);
    expect(check(new nn.Sequential(new nn.Linear(8, 8, { bias: false }), new nn.Dropout(0), new nn.BatchNorm1d(8)))).toEqual([]);
    const noStats = new nn.Sequential(new nn.Linear(8, 8, { bias: false }), new nn.Dropout(0.4), new nn.BatchNorm1d(8, { trackRunningStats: false }));
    expect(check(noStats)).toEqual([]);
  });
});

describe('bias-before-batchnorm', () => {
  it('fires for Conv1d(bias) → BatchNorm1d and suggests bias: false', () => {
    const model = new nn.Sequential(new nn.Conv1d(4, 8, 3), new nn.BatchNorm1d(8), new nn.ReLU());
    const fs = check(model);
    expect(brief(fs)).toEqual([['bias-before-batchnorm', ['0', '1']]]);
    expect(fs[0]!.message).toContain('Conv1d(4→8) at "0" has a bias and feeds BatchNorm1d(8) at "1"');
    expect(fs[0]!.fix).toContain('bias: false');
  });

  it('fires through Dropout and Flatten, for Linear too', () => {
    const viaDropout = new nn.Sequential(new nn.Linear(8, 16), new nn.Dropout(0.4), new nn.BatchNorm1d(16));
    expect(brief(check(viaDropout))).toEqual([
      ['dropout-before-batchnorm', ['1', '2']],
      ['bias-before-batchnorm', ['0', '2']],
    ]);
    const viaFlatten = new nn.Sequential(new nn.Conv1d(2, 3, 3), new nn.Flatten(), new nn.BatchNorm1d(3 * 8));
    expect(brief(check(viaFlatten, { input: randn([8, 2, 10]) }))).toEqual([['bias-before-batchnorm', ['0', '2']]]);
  });

  it('does not fire without a bias or with an activation in between', () => {
    expect(check(new nn.Sequential(new nn.Conv1d(4, 8, 3, { bias: false }), new nn.BatchNorm1d(8)))).toEqual([]);
    const viaRelu = check(new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.BatchNorm1d(16)));
    expect(viaRelu.map((f) => f.code)).not.toContain('bias-before-batchnorm');
  });

  it('the reason holds: before BatchNorm the bias gradient is zero up to rounding, the weight gradient is not', () => {
    manualSeed(3);
    const conv = new nn.Conv1d(4, 8, 3), bn = new nn.BatchNorm1d(8);
    for (let i = 0; i < conv.bias!.data.length; i++) conv.bias!.data[i] = 0.5 * (i + 1); // a sizeable bias
    const x = randn([16, 4, 12]), y = bn.forward(conv.forward(x));
    sum(mul(y, randn(y.shape))).backward();
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs(conv.weight.grad!.data)).toBeGreaterThan(0.1);
    expect(maxAbs(conv.bias!.grad!.data)).toBeLessThan(1e-4);
  });
});

describe('batchnorm-after-activation', () => {
  it('fires for Linear → ReLU → BatchNorm1d', () => {
    const fs = check(new nn.Sequential(new nn.Linear(8, 16, { bias: false }), new nn.ReLU(), new nn.BatchNorm1d(16)));
    expect(brief(fs)).toEqual([['batchnorm-after-activation', ['0', '1', '2']]]);
    expect(fs[0]!.message).toContain('BatchNorm1d(16) at "2" normalises the output of ReLU at "1" (after Linear(8→16) at "0")');
    expect(fs[0]!.fix).toContain('Linear(8→16) → BatchNorm1d(16) → ReLU');
  });

  it('fires for GELU and LeakyReLU with a pool or dropout in between', () => {
    const gelu = new nn.Sequential(new nn.Conv1d(4, 8, 3, { bias: false }), new nn.GELU(), new nn.MaxPool1d(2), new nn.BatchNorm1d(8));
    expect(brief(check(gelu))).toEqual([['batchnorm-after-activation', ['0', '1', '3']]]);
    const leaky = new nn.Sequential(new nn.Linear(8, 16, { bias: false }), new nn.LeakyReLU(0.1), new nn.BatchNorm1d(16));
    expect(brief(check(leaky))).toEqual([['batchnorm-after-activation', ['0', '1', '2']]]);
  });

  it('does not fire in the recipe order or with no Conv1d/Linear before the activation', () => {
    expect(check(new nn.Sequential(new nn.Linear(8, 16, { bias: false }), new nn.BatchNorm1d(16), new nn.ReLU()))).toEqual([]);
    expect(check(new nn.Sequential(new nn.ReLU(), new nn.BatchNorm1d(4)))).toEqual([]);
  });
});

describe('dropout-rate', () => {
  const convNet = (d: nn.Module) => new nn.Sequential(new nn.Conv1d(4, 8, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(8), new nn.ReLU(), d);
  const denseNet = (d: nn.Module) => new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), d, new nn.Linear(16, 1));

  it('convolutional: outside 0.1–0.3 fires (both sides), the ends and inside do not', () => {
    const high = check(convNet(new nn.Dropout(0.5)));
    expect(brief(high)).toEqual([['dropout-rate', ['3']]]);
    expect(high[0]!.message).toContain('Dropout(p=0.5) at "3" is a convolutional dropout (it follows Conv1d(4→8) at "0")');
    expect(high[0]!.message).toContain('0.1–0.3');
    expect(brief(check(convNet(new nn.Dropout(0.05))))).toEqual([['dropout-rate', ['3']]]);
    for (const p of [0.1, 0.15, 0.3, 0]) expect(check(convNet(new nn.Dropout(p))), `p = ${p}`).toEqual([]);
  });

  it('dense: outside 0.3–0.5 fires (both sides), the ends and inside do not', () => {
    const low = check(denseNet(new nn.Dropout(0.2)));
    expect(brief(low)).toEqual([['dropout-rate', ['2']]]);
    expect(low[0]!.message).toContain('is a dense dropout (it follows Linear(8→16) at "0")');
    expect(low[0]!.message).toContain('0.3–0.5');
    expect(brief(check(denseNet(new nn.Dropout(0.7))))).toEqual([['dropout-rate', ['2']]]);
    for (const p of [0.3, 0.4, 0.5, 0]) expect(check(denseNet(new nn.Dropout(p))), `p = ${p}`).toEqual([]);
  });

  it('Dropout1d always uses the convolutional range', () => {
    expect(brief(check(convNet(new nn.Dropout1d(0.5))))).toEqual([['dropout-rate', ['3']]]);
    expect(check(convNet(new nn.Dropout1d(0.2)))).toEqual([]);
  });

  it("with an input, the Dropout's input rank decides: Linear on (N, L, C) is convolutional-shaped", () => {
    const model = () => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(8, 1));
    expect(brief(check(model()))).toEqual([['dropout-rate', ['2']]]); // walk: after a Linear → dense
    expect(check(model(), { input: randn([8, 5, 4]) })).toEqual([]); // 3-D input → convolutional, 0.2 is fine
    const flat = check(model(), { input: randn([8, 4]) });
    expect(brief(flat)).toEqual([['dropout-rate', ['2']]]);
    expect(flat[0]!.message).toContain('its input is 2-D (N, features)');
  });

  it('without a preceding layer, the following one decides', () => {
    expect(check(new nn.Sequential(new nn.Dropout(0.2), new nn.Conv1d(4, 8, 3)))).toEqual([]);
    expect(brief(check(new nn.Sequential(new nn.Dropout(0.2), new nn.Linear(4, 8))))).toEqual([['dropout-rate', ['0']]]);
    expect(check(new nn.Dropout(0.2))).toEqual([]); // nothing decides the type
  });
});

describe('batchnorm-small-batch', () => {
  it('fires once, naming every BatchNorm1d, for a batch size below 8 (options or input)', () => {
    const fs = check(mlp(), { batchSize: 4 });
    expect(brief(fs)).toEqual([['batchnorm-small-batch', ['1', '5']]]);
    expect(fs[0]!.message).toContain('BatchNorm1d(512) at "1", BatchNorm1d(256) at "5"');
    expect(fs[0]!.message).toContain('the batch size is 4');
    expect(brief(check(mlp(), { input: randn([7, 784]) }))).toEqual([['batchnorm-small-batch', ['1', '5']]]);
  });

  it('does not fire at 8 or more, without a batch size, or without BatchNorm; batchSize wins over the input', () => {
    expect(check(mlp(), { batchSize: 8 })).toEqual([]);
    expect(check(mlp(), { input: randn([8, 784]) })).toEqual([]);
    expect(check(mlp())).toEqual([]);
    expect(check(new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU()), { batchSize: 2 })).toEqual([]);
    expect(check(mlp(), { input: randn([2, 784]), batchSize: 64 })).toEqual([]);
    expect(brief(check(mlp(), { input: randn([16, 784]), batchSize: 4 }))).toEqual([['batchnorm-small-batch', ['1', '5']]]);
  });
});

describe('names and execution order', () => {
  it('nested Sequentials give dotted names, with and without an input', () => {
    const model = new nn.Sequential(
      new nn.Sequential(new nn.Conv1d(4, 8, 3, { padding: 1 }), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.2)),
      new nn.Sequential(new nn.Dropout(0.2), new nn.BatchNorm1d(8)),
    );
    const want = [
      ['dropout-before-batchnorm', ['0.3', '1.1']],
      ['dropout-before-batchnorm', ['1.0', '1.1']],
      ['bias-before-batchnorm', ['0.0', '0.1']],
    ];
    expect(brief(check(model))).toEqual(want);
    expect(brief(check(model, { input: randn([8, 4, 10]) }))).toEqual(want);
    expect(check(model)[0]!.message).toContain('Dropout(p=0.2) at "0.3" feeds BatchNorm1d(8) at "1.1"');
  });

  it('named children give names such as "features.1"', () => {
    const model = new Named(new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU()), new nn.Linear(8, 1));
    expect(brief(check(model))).toEqual([['bias-before-batchnorm', ['features.0', 'features.1']]]);
    expect(brief(check(model, { input: randn([8, 4]) }))).toEqual([['bias-before-batchnorm', ['features.0', 'features.1']]]);
  });

  it('a custom module: the walk follows registration order; an input gives the true order', () => {
    const model = new Reordered();
    // Registration order is norm, drop, proj: the Dropout seems to feed the Linear.
    expect(check(model)).toEqual([]);
    // It runs proj → drop → norm: the Dropout feeds the BatchNorm.
    const fs = check(model, { input: randn([8, 4]) });
    expect(brief(fs)).toEqual([['dropout-before-batchnorm', ['drop', 'norm']]]);
    expect(fs[0]!.message).toContain('Dropout(p=0.4) at "drop" feeds BatchNorm1d(8) at "norm"');
  });
});

describe('the example forward', () => {
  it('a forward that throws names the module it failed in, and everything is restored', () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(3, 2));
    model.train();
    model.at(1).eval();
    const fusion = nn.fusionEnabled();
    expect(() => check(model, { input: randn([2, 4]) })).toThrow(
      new ShapeError('check: the forward on the example input (2, 4) failed in Linear(3→2) at "2": Linear(3→2): expected input (*, 3), got (2, 8)'),
    );
    expect(model.modules().map((m) => m.training)).toEqual([true, true, false, true]);
    expect(model.modules().some((m) => Object.hasOwn(m, 'forward'))).toBe(false);
    expect(nn.fusionEnabled()).toBe(fusion);
  });

  it('an error in a custom forward outside any child names the root module', () => {
    class Broken extends nn.Module {
      constructor(readonly lin = new nn.Linear(4, 4)) {
        super();
        this.registerModule('lin', lin);
      }
      forward(x: Tensor): Tensor {
        this.lin.forward(x);
        throw new Error('boom');
      }
      toJSON(): nn.ModuleJSON {
        return { type: 'Broken' };
      }
    }
    expect(() => check(new Broken(), { input: randn([2, 4]) })).toThrow('check: the forward on the example input (2, 4) failed in Broken (the root module): boom');
  });

  it('check changes nothing: parameters, buffers, num_batches_tracked, modes, gradients, the generator (bitwise)', () => {
    manualSeed(1);
    const model = nn.conv1dBackbone({ inChannels: 14, window: 30 });
    model.train();
    const x = randn([8, 14, 30]);
    const y = model.forward(x);
    y.backward(ones(y.shape)); // one step's worth of running statistics and gradients
    model.at(3).eval(); // a mixed mode, restored module by module
    const before = snapshot(model), modes = model.modules().map((m) => m.training);
    const grads = model.parameters().map((p) => Float32Array.from(p.grad!.data));
    const tracked = (model.at(1) as nn.BatchNorm1d).numBatchesTracked!.value;
    expect(tracked).toBe(1);
    const fusion = nn.fusionEnabled();

    manualSeed(7);
    expect(check(model, { input: randn([16, 14, 30]) })).toEqual([]);
    const next = randn([5]).data;
    manualSeed(7);
    randn([16, 14, 30]);
    expect(Array.from(next)).toEqual(Array.from(randn([5]).data)); // check drew no random numbers

    expectSameSnapshot(snapshot(model), before);
    expect((model.at(1) as nn.BatchNorm1d).numBatchesTracked!.value).toBe(tracked);
    expect(model.modules().map((m) => m.training)).toEqual(modes);
    model.parameters().forEach((p, i) => expect(Buffer.from(bytes(p.grad!.data)).equals(Buffer.from(bytes(grads[i]!)))).toBe(true));
    expect(model.modules().some((m) => Object.hasOwn(m, 'forward'))).toBe(false);
    expect(nn.fusionEnabled()).toBe(fusion);
  });
});

describe('warnFindings', () => {
  afterEach(() => vi.restoreAllMocks());

  it('emits one warning per finding: message + " Fix: " + fix, code KEEL_<CODE>', () => {
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.Dropout(0.1), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Dropout(0.9));
    const fs = check(model, { batchSize: 2 });
    expect(fs.map((f) => f.code)).toEqual(['dropout-before-batchnorm', 'bias-before-batchnorm', 'dropout-rate', 'dropout-rate', 'batchnorm-small-batch']);
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    warnFindings(fs);
    expect(spy.mock.calls).toEqual(fs.map((f) => [`${f.message} Fix: ${f.fix}`, { code: warningCode(f.code) }]));
    expect(spy.mock.calls.map((c) => (c[1] as { code: string }).code)).toEqual([
      'KEEL_DROPOUT_BEFORE_BATCHNORM', 'KEEL_BIAS_BEFORE_BATCHNORM', 'KEEL_DROPOUT_RATE', 'KEEL_DROPOUT_RATE', 'KEEL_BATCHNORM_SMALL_BATCH',
    ]);
    spy.mockClear();
    warnFindings([]);
    expect(spy).not.toHaveBeenCalled();
    expect(warningCode('batchnorm-after-activation')).toBe('KEEL_BATCHNORM_AFTER_ACTIVATION');
  });

  it('reaches process "warning" listeners with the code', async () => {
    const [f] = check(new nn.Sequential(new nn.Conv1d(2, 4, 3), new nn.BatchNorm1d(4)));
    const got = new Promise<Error & { code?: string }>((resolve) => process.once('warning', resolve));
    warnFindings([f!]);
    const w = await got;
    expect(w.code).toBe('KEEL_BIAS_BEFORE_BATCHNORM');
    expect(w.message).toBe(`${f!.message} Fix: ${f!.fix}`);
  });
});

describe('bad arguments', () => {
  const model = new nn.Sequential(new nn.Linear(4, 4));
  const cases: Array<[string, () => unknown, RegExp | string]> = [
    ['model not a Module', () => check(bad(null)), 'check: model must be a Module, got null'],
    ['options a Tensor', () => check(model, bad(randn([2, 4]))), 'check: options must be an object, got a Tensor of shape (2, 4)'],
    ['unknown option', () => check(model, bad({ batchsize: 4 })), 'check: unknown option "batchsize" (known options: input, batchSize)'],
    ['batchSize 0', () => check(model, { batchSize: 0 }), 'check: batchSize must be a positive integer, got 0'],
    ['batchSize 2.5', () => check(model, { batchSize: 2.5 }), 'check: batchSize must be a positive integer, got 2.5'],
    ['input not a Tensor', () => check(model, { input: bad([[1, 2, 3, 4]]) }), 'check: input must be a Tensor, got [[1, 2, 3, 4]]'],
    ['input 1-D', () => check(model, { input: randn([4]) }), /check: input must be a batch .* got \(4\)/],
    ['findings not an array', () => warnFindings(bad('x')), 'warnFindings: findings must be an array of Finding, got "x"'],
    ['finding without fix', () => warnFindings(bad([{ code: 'dropout-rate', message: 'm' }])), /warnFindings: findings\[0\] must be a Finding/],
  ];
  for (const [name, fn, want] of cases) {
    it(name, () => {
      expect(fn).toThrow(want);
    });
  }
  it('errors are OptionError for wrong types and values, ShapeError for a wrong input shape', () => {
    expect(() => check(bad(null))).toThrow(OptionError);
    expect(() => check(model, bad({ batchsize: 4 }))).toThrow(OptionError);
    expect(() => check(model, { batchSize: 0 })).toThrow(OptionError);
    expect(() => check(model, { input: randn([4]) })).toThrow(ShapeError);
    expect(() => check(model, { input: randn([4]) })).toThrow(KeelError);
  });
});
