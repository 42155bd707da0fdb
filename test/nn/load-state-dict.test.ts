/**
 * loadStateDict strictness: missing keys, unexpected keys, size and dtype mismatches are errors
 * (all of them reported at once, with PyTorch's wording); a failed load changes no parameter and no
 * buffer, bitwise; strict: false loads what matches and reports the rest; loaded values are copies.
 * Entries that are no tensor (null, data of another kind or length than their dtype and shape say)
 * are refused before anything is copied, with strict or not; bad options are OptionErrors.
 */
import { describe, expect, it } from 'vitest';
import { FormatError, KeelError, OptionError } from '../../src/errors.js';
import type { StateDict } from '../../src/io/state.js';
import * as nn from '../../src/nn/index.js';
import { StateDictError } from '../../src/nn/state-dict-error.js';
import { manualSeed } from '../../src/tensor/random.js';
import { bytes, expectSameSnapshot, input, snapshot } from './helpers.js';

function trainedBackbone(seed: number): nn.Sequential {
  manualSeed(seed);
  const m = nn.conv1dBackbone({ window: 8, widths: [6, 6], headHidden: 10, outputs: 2 });
  m.forward(input([4, 14, 8], seed));
  return m;
}

/** A complete, valid state dict from another model (so any partial write would show). */
function otherState(): StateDict {
  const other = trainedBackbone(99);
  other.forward(input([4, 14, 8], 100));
  return other.stateDict();
}

function expectFailsUnchanged(model: nn.Module, dict: StateDict, message: RegExp | string): void {
  const before = snapshot(model);
  expect(() => model.loadStateDict(dict)).toThrow(message);
  expect(() => model.loadStateDict(dict)).toThrow(FormatError);
  expect(() => model.loadStateDict(dict)).toThrow(KeelError);
  expectSameSnapshot(snapshot(model), before);
}

describe('loadStateDict', () => {
  it('loads a complete dict: values, int64 counters, and copies (no aliasing either way)', () => {
    const model = trainedBackbone(1);
    const dict = otherState();
    expect(model.loadStateDict(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const state = model.stateDict();
    for (const [k, t] of Object.entries(dict)) expect(Buffer.from(bytes(state[k]!.data)).equals(Buffer.from(bytes(t.data))), k).toBe(true);
    expect(state['1.num_batches_tracked']!.data).toEqual(new BigInt64Array([2n]));
    (dict['0.weight']!.data as Float32Array)[0] = 12345;
    expect(model.stateDict()['0.weight']!.data[0]).not.toBe(12345);
    (model.stateDict()['0.weight']!.data as Float32Array)[0] = 54321;
    expect((model.at(0) as nn.Conv1d).weight.data[0]).not.toBe(54321);
  });

  it('missing keys: an error naming them; nothing changes', () => {
    const model = trainedBackbone(1);
    const dict = otherState();
    delete dict['1.running_mean'];
    delete dict['12.bias'];
    expectFailsUnchanged(model, dict, 'Error(s) in loading state_dict for Sequential:\n\tMissing key(s): "1.running_mean", "12.bias".');
  });

  it('unexpected keys: an error naming them; nothing changes', () => {
    const model = trainedBackbone(1);
    const dict = otherState();
    dict['99.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
    expectFailsUnchanged(model, dict, /Unexpected key\(s\): "99\.weight"\./);
  });

  it('size mismatch: PyTorch\'s message; nothing changes', () => {
    const model = trainedBackbone(1);
    const dict = otherState();
    dict['9.weight'] = { dtype: 'F32', shape: [10, 47], data: new Float32Array(470) };
    expectFailsUnchanged(model, dict, 'size mismatch for 9.weight: copying a param with shape (10, 47) from checkpoint, the shape in current model is (10, 48).');
  });

  it('dtype mismatch (a float num_batches_tracked): an error; nothing changes', () => {
    const model = trainedBackbone(1);
    const dict = otherState();
    dict['5.num_batches_tracked'] = { dtype: 'F32', shape: [], data: new Float32Array([3]) };
    expectFailsUnchanged(model, dict, /dtype mismatch for 5\.num_batches_tracked: checkpoint has F32, the model has I64/);
  });

  it('reports every problem at once', () => {
    const model = trainedBackbone(1);
    const dict = otherState();
    delete dict['0.weight'];
    dict.extra = { dtype: 'F32', shape: [], data: new Float32Array(1) };
    dict['12.weight'] = { dtype: 'F32', shape: [2, 9], data: new Float32Array(18) };
    const before = snapshot(model);
    let err: unknown;
    try {
      model.loadStateDict(dict);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as StateDictError).name).toBe('StateDictError');
    const { message } = err as Error;
    expect(message).toMatch(/Missing key\(s\): "0\.weight"/);
    expect(message).toMatch(/Unexpected key\(s\): "extra"/);
    expect(message).toMatch(/size mismatch for 12\.weight/);
    // The same problems as fields, so no caller has to parse the message.
    expect(err).toMatchObject({ missingKeys: ['0.weight'], unexpectedKeys: ['extra'], mismatchedKeys: ['12.weight'] });
    expectSameSnapshot(snapshot(model), before);
  });

  it('strict: false loads the matching keys and reports the others', () => {
    const model = trainedBackbone(1);
    const dict = otherState();
    const keep = model.stateDict()['0.weight']!;
    delete dict['0.weight'];
    dict.extra = { dtype: 'F32', shape: [], data: new Float32Array(1) };
    expect(model.loadStateDict(dict, { strict: false })).toEqual({ missingKeys: ['0.weight'], unexpectedKeys: ['extra'] });
    const state = model.stateDict();
    expect(state['0.weight']!.data).toEqual(keep.data);
    expect(state['4.weight']!.data).toEqual(dict['4.weight']!.data);
    // A size mismatch is an error even when not strict.
    dict['4.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
    expectFailsUnchanged(model, dict, /size mismatch for 4\.weight/);
    // Not strict: the missing and unexpected keys are reported as the result would have them, not as errors.
    expect(() => model.loadStateDict(dict, { strict: false })).toThrow(
      expect.objectContaining({ missingKeys: ['0.weight'], unexpectedKeys: ['extra'], mismatchedKeys: ['4.weight'] }),
    );
  });

  it('malformed entries: every one listed in invalidKeys, even with strict false; nothing changes', () => {
    const model = trainedBackbone(1);
    const dict = otherState() as Record<string, unknown>;
    dict['1.bias'] = null;
    dict['4.weight'] = { dtype: 'F32', shape: [6], data: ['a', 'b', 'c', 'd', 'e', 'f'] };
    // The last key: a load that converted as it went would have copied everything before it.
    dict['12.bias'] = { dtype: 'F32', shape: [2], data: new BigInt64Array(2) };
    dict['5.num_batches_tracked'] = { dtype: 'I64', shape: [], data: Float32Array.of(1.5) };
    const before = snapshot(model);
    for (const strict of [true, false]) {
      let err: unknown;
      try {
        model.loadStateDict(dict as never, { strict });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormatError);
      expect(err).toMatchObject({ invalidKeys: ['1.bias', '4.weight', '5.num_batches_tracked', '12.bias'], mismatchedKeys: [] });
      expect((err as Error).message).toMatch(/invalid entry for 1\.bias: expected a tensor .*, got null/);
      expect((err as Error).message).toMatch(/invalid entry for 5\.num_batches_tracked: data must be a BigInt64Array or an array of integers .* got a Float32Array/);
      expectSameSnapshot(snapshot(model), before);
    }
  });

  it('plain arrays load when their values fit the dtype; holes, strings and BigInts for floats do not', () => {
    const bn = new nn.BatchNorm1d(2);
    bn.loadStateDict({ ...bn.stateDict(), running_mean: { dtype: 'F32', shape: [2], data: [0.5, NaN] }, num_batches_tracked: { dtype: 'I64', shape: [], data: [7] } } as never);
    expect(bn.runningMean!.data).toEqual(Float32Array.of(0.5, NaN));
    expect(bn.numBatchesTracked!.data).toEqual(BigInt64Array.of(7n));
    const sparse: number[] = [];
    sparse[1] = 1;
    for (const data of [sparse, [1n, 2n], ['1', '2']]) {
      expect(() => bn.loadStateDict({ ...bn.stateDict(), running_var: { dtype: 'F32', shape: [2], data } } as never)).toThrow(/invalid entry for running_var/);
    }
    expect(() => bn.loadStateDict({ ...bn.stateDict(), num_batches_tracked: { dtype: 'I64', shape: [], data: [2n ** 63n] } } as never)).toThrow(/num_batches_tracked/);
    expect(() => bn.loadStateDict({ ...bn.stateDict(), running_var: { dtype: 'F32', shape: [2], data: [1, 2, 3] } } as never)).toThrow(
      'invalid entry for running_var: data has 3 values, shape (2) needs 2.',
    );
    const detached = new Float32Array(2);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(() => bn.loadStateDict({ ...bn.stateDict(), running_var: { dtype: 'F32', shape: [2], data: detached } } as never)).toThrow(/running_var: data's buffer is detached/);
  });

  it('bad options and a state dict that is no object: OptionError', () => {
    const bn = new nn.BatchNorm1d(2);
    for (const call of [() => bn.loadStateDict(bn.stateDict(), { strcit: false } as never), () => bn.loadStateDict(bn.stateDict(), { strict: 'false' as never }), () => bn.loadStateDict(null as never)]) {
      expect(call).toThrow(OptionError);
      expect(call).toThrow(KeelError);
    }
    expect(() => bn.loadStateDict(bn.stateDict(), { strcit: false } as never)).toThrow(/BatchNorm1d\.loadStateDict: unknown option "strcit"/);
  });

  it('float64 values convert to the model\'s float32', () => {
    const bn = new nn.BatchNorm1d(2);
    const dict = bn.stateDict();
    dict.running_var = { dtype: 'F64', shape: [2], data: new Float64Array([0.1, 2.5]) };
    bn.loadStateDict(dict);
    expect(bn.runningVar!.toArray()).toEqual([Math.fround(0.1), 2.5]);
  });
});
