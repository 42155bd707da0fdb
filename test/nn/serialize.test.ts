/**
 * toJSON / nn.fromJSON: the architecture round-trips (same classes, options, state-dict keys and
 * printout), a model rebuilt from JSON + loadStateDict computes bitwise the same outputs (the
 * worker-training path), user types plug in through nn.registerModuleType, and bad JSON fails
 * clearly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as nn from '../../src/nn/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { fromOp, Tensor } from '../../src/tensor/tensor.js';
import { expectBitwiseEqual, input } from './helpers.js';

function structure(m: nn.Module): Array<[string, string]> {
  return m.namedModules().map(([k, c]) => [k, c.constructor.name]);
}

describe('toJSON / fromJSON round trip', () => {
  it('conv1dBackbone: same tree, options, keys and printout; same outputs after loading the state', () => {
    manualSeed(1);
    const model = nn.conv1dBackbone();
    const json = model.toJSON();
    expect(json.type).toBe('Sequential');
    expect(json.children![0]).toEqual({
      type: 'Conv1d',
      options: { inChannels: 14, outChannels: 64, kernelSize: 3, stride: 1, padding: 1, dilation: 1, groups: 1, bias: false, paddingMode: 'zeros' },
    });

    manualSeed(2); // the rebuilt model starts with other weights
    const rebuilt = nn.fromJSON(JSON.stringify(json));
    expect(rebuilt).toBeInstanceOf(nn.Sequential);
    expect(rebuilt.toJSON()).toEqual(json);
    expect(structure(rebuilt)).toEqual(structure(model));
    expect(Object.keys(rebuilt.stateDict())).toEqual(Object.keys(model.stateDict()));
    expect(rebuilt.toString()).toBe(model.toString());

    // Train the original a little so the BN buffers are not at their defaults.
    model.forward(input([8, 14, 30], 1));
    model.forward(input([8, 14, 30], 2));
    rebuilt.loadStateDict(model.stateDict());
    model.eval();
    rebuilt.eval();
    const x = input([4, 14, 30], 3);
    expectBitwiseEqual(noGrad(() => rebuilt.forward(x)).data, noGrad(() => model.forward(x)).data, 'eval outputs');

    // Training mode too (dropout masks come from the same seed and stream order).
    model.train();
    rebuilt.train();
    manualSeed(9);
    const yA = model.forward(x);
    manualSeed(9);
    const yB = rebuilt.forward(x);
    expectBitwiseEqual(yB.data, yA.data, 'training outputs');
  });

  it('the worker path: JSON text + a structured-cloned state dict', () => {
    const model = nn.conv1dBackbone({ window: 10, widths: [8], headHidden: 8, outputs: 3 }).eval();
    const message = structuredClone({ json: JSON.stringify(model.toJSON()), state: model.stateDict() });
    const worker = nn.fromJSON(message.json);
    worker.loadStateDict(message.state);
    worker.eval();
    const x = input([2, 14, 10], 4);
    expectBitwiseEqual(worker.forward(x).data, model.forward(x).data, 'outputs');
  });

  it('every built-in layer with non-default options', () => {
    const model = new nn.Sequential(
      new nn.Conv1d(6, 8, 4, { stride: 1, padding: 'same', dilation: 2, groups: 2, bias: true }),
      new nn.BatchNorm1d(8, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: true }),
      new nn.LeakyReLU(0.2),
      new nn.MaxPool1d(3, { stride: 2, padding: 1, dilation: 1, ceilMode: true }),
      new nn.AvgPool1d(2, { stride: 1, padding: 1, ceilMode: false, countIncludePad: false }),
      new nn.Dropout1d(0.1),
      new nn.AdaptiveAvgPool1d(4),
      new nn.GELU('tanh'),
      new nn.LayerNorm([8, 4], { eps: 1e-6, elementwiseAffine: false }),
      new nn.Flatten(1, 2),
      new nn.Dropout({ p: 0.3 }),
      new nn.Linear(32, 5, { bias: false }),
      new nn.BatchNorm1d(5, { trackRunningStats: false }),
      new nn.ReLU(),
      new nn.Sequential(new nn.Linear(5, 2)),
    );
    const json = model.toJSON();
    const rebuilt = nn.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(rebuilt.toJSON()).toEqual(json);
    expect(structure(rebuilt)).toEqual(structure(model));
    expect(Object.keys(rebuilt.stateDict())).toEqual(Object.keys(model.stateDict()));
    expect(rebuilt.toString()).toBe(model.toString());
  });

  it('lists the built-in types', () => {
    expect(nn.registeredModuleTypes()).toEqual(expect.arrayContaining([
      'AdaptiveAvgPool1d', 'AvgPool1d', 'BatchNorm1d', 'Conv1d', 'Dropout', 'Dropout1d', 'Flatten', 'GELU',
      'LayerNorm', 'LeakyReLU', 'Linear', 'MaxPool1d', 'ReLU', 'Sequential',
    ]));
  });
});

// A user's module: a Conv1d → BatchNorm1d block with a learned per-channel gain applied through a
// user-written op, registered under its own type name.
function scaleChannels(x: Tensor, gain: Tensor): Tensor {
  const [, C, L] = x.shape as [number, number, number];
  const y = new Float32Array(x.numel);
  for (let i = 0; i < y.length; i++) y[i] = x.data[i]! * gain.data[Math.floor(i / L) % C]!;
  return fromOp('scaleChannels', y, x.shape, [x, gain], (dy) => {
    const dx = new Float32Array(dy.length), dg = new Float32Array(C);
    for (let i = 0; i < dy.length; i++) {
      const c = Math.floor(i / L) % C;
      dx[i] = dy[i]! * gain.data[c]!;
      dg[c]! += dy[i]! * x.data[i]!;
    }
    return [dx, dg];
  });
}

class GainBlock extends nn.Module {
  readonly gain: Tensor;
  readonly conv: nn.Conv1d;
  readonly bn: nn.BatchNorm1d;

  constructor(readonly inChannels: number, readonly outChannels: number) {
    super();
    this.gain = this.registerParameter('gain', new Tensor(new Float32Array(outChannels).fill(1), [outChannels]));
    this.conv = this.registerModule('conv', new nn.Conv1d(inChannels, outChannels, 3, { padding: 1, bias: false }));
    this.bn = this.registerModule('bn', new nn.BatchNorm1d(outChannels));
  }

  forward(x: Tensor): Tensor {
    return scaleChannels(this.bn.forward(this.conv.forward(x)), this.gain);
  }

  toJSON(): nn.ModuleJSON {
    return { type: 'GainBlock', options: { inChannels: this.inChannels, outChannels: this.outChannels } };
  }
}

describe('registerModuleType', () => {
  afterEach(() => {
    nn.unregisterModuleType('GainBlock');
  });

  it('a registered user type round-trips inside a Sequential, with identical outputs', () => {
    nn.registerModuleType('GainBlock', (o) => new GainBlock(o.inChannels as number, o.outChannels as number));
    manualSeed(5);
    const model = new nn.Sequential(new GainBlock(4, 6), new nn.ReLU(), new nn.Flatten(), new nn.Linear(6 * 9, 2));
    model.forward(input([5, 4, 9], 1));
    (model.at(0) as GainBlock).gain.data.set([1, 2, 3, 0.5, -1, 0.25]);
    expect(Object.keys(model.stateDict()).slice(0, 7)).toEqual([
      '0.gain', '0.conv.weight', '0.bn.weight', '0.bn.bias', '0.bn.running_mean', '0.bn.running_var', '0.bn.num_batches_tracked',
    ]);
    const json = JSON.stringify(model.toJSON());
    const rebuilt = nn.fromJSON(json);
    expect((rebuilt as nn.Sequential).at(0)).toBeInstanceOf(GainBlock);
    rebuilt.loadStateDict(model.stateDict());
    for (const m of [model, rebuilt]) m.eval();
    const x = input([3, 4, 9], 2);
    expectBitwiseEqual(rebuilt.forward(x).data, model.forward(x).data, 'outputs');
    expect(rebuilt.toString()).toContain('(0): GainBlock(\n    (conv): Conv1d(4, 6, kernelSize=3, stride=1, padding=1, bias=false)');
  });

  it('a user container gets its rebuilt children', () => {
    class Twice extends nn.Module {
      constructor(inner: nn.Module) {
        super();
        this.registerModule('inner', inner);
      }
      forward(x: Tensor): Tensor {
        const inner = this.children()[0]!;
        return inner.forward(inner.forward(x));
      }
      toJSON(): nn.ModuleJSON {
        return { type: 'Twice', children: this.children().map((c) => c.toJSON()) };
      }
    }
    nn.registerModuleType('Twice', (_o, children) => new Twice(children[0]!));
    try {
      const model = new Twice(new nn.Linear(3, 3));
      const rebuilt = nn.fromJSON(model.toJSON());
      expect(Object.keys(rebuilt.stateDict())).toEqual(['inner.weight', 'inner.bias']);
      expect(rebuilt.children()[0]).toBeInstanceOf(nn.Linear);
    } finally {
      nn.unregisterModuleType('Twice');
    }
  });

  it('refuses to register a name twice unless replace is set', () => {
    const f = () => new nn.ReLU();
    nn.registerModuleType('GainBlock', f);
    expect(() => nn.registerModuleType('GainBlock', f)).toThrow(/"GainBlock" is already registered/);
    expect(() => nn.registerModuleType('Linear', f)).toThrow(/"Linear" is already registered/);
    expect(() => nn.registerModuleType('GainBlock', f, { replace: true })).not.toThrow();
    expect(() => nn.registerModuleType('', f)).toThrow(/non-empty string/);
  });
});

describe('fromJSON errors', () => {
  it('unknown type: names it, where it is, and how to register it', () => {
    expect(() => nn.fromJSON({ type: 'Conv3d' })).toThrow(/fromJSON: unknown module type "Conv3d" at the root; registered types: .*Conv1d.*nn\.registerModuleType/);
    const json = { type: 'Sequential', children: [{ type: 'ReLU' }, { type: 'Sequential', children: [{ type: 'ReLU' }, { type: 'Mystery' }] }] };
    expect(() => nn.fromJSON(json)).toThrow(/unknown module type "Mystery" at "1\.1"/);
  });

  it('bad options name the layer, the option and the position', () => {
    const json = { type: 'Sequential', children: [{ type: 'Conv1d', options: { inChannels: 0, outChannels: 4, kernelSize: 3 } }] };
    expect(() => nn.fromJSON(json)).toThrow('fromJSON: building Conv1d at "0": Conv1d: inChannels must be a positive integer, got 0');
    expect(() => nn.fromJSON({ type: 'Dropout', options: { p: 0.5, inplace: true } })).toThrow(/Dropout: unknown option "inplace"/);
  });

  it('malformed JSON', () => {
    expect(() => nn.fromJSON('{')).toThrow(/fromJSON: invalid JSON text/);
    expect(() => nn.fromJSON(42 as never)).toThrow(/expected a module object/);
    expect(() => nn.fromJSON({ options: {} } as never)).toThrow(/missing or non-string "type"/);
    expect(() => nn.fromJSON({ type: 'ReLU', children: [{ type: 'ReLU' }] })).toThrow(/ReLU takes no children/);
    expect(() => nn.fromJSON({ type: 'Sequential', children: {} } as never)).toThrow(/"children" of Sequential at the root must be an array/);
  });
});
