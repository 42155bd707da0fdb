/**
 * load() gives Tensors: every F32 entry that a state dict hands out — decodeSafetensors, load /
 * loadSync / loadWithMetadata(Sync), Module.stateDict() — is a real Tensor (requiresGrad false) that
 * can go straight into a module, as safetensors' load_file gives PyTorch users tensors; F64, I64, I32
 * and U8 entries stay plain {dtype, shape, data} objects. The entries keep `dtype` through a
 * structured clone (the worker path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { load, loadSync, loadWithMetadata, loadWithMetadataSync, save, saveSync } from '../../src/io/save.js';
import type { StateDict, StateTensor } from '../../src/io/state.js';
import * as nn from '../../src/nn/index.js';
import { randn } from '../../src/tensor/create.js';
import { noGrad } from '../../src/tensor/grad-mode.js';
import { manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-load-tensors-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The entry's dtype, shape and values as plain data, for comparisons that ignore the class. */
const plain = (t: StateTensor) => ({ dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data as ArrayLike<number | bigint>) });

function expectTensorEntry(t: StateTensor | undefined, shape: number[], data: Float32Array): void {
  expect(t).toBeInstanceOf(Tensor);
  const x = t as Tensor;
  expect(x.requiresGrad).toBe(false);
  expect(x.grad).toBeNull();
  expect(x.gradFn).toBeNull();
  expect(plain(x)).toEqual({ dtype: 'F32', shape, data: Array.from(data) });
}

function model(): nn.Sequential {
  manualSeed(3);
  return new nn.Sequential(new nn.Conv1d(6, 10, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(10), new nn.ReLU(), new nn.Flatten(), new nn.Linear(10 * 5, 2));
}

describe('Module.stateDict()', () => {
  it('F32 entries are Tensors that require no grad and own a copy; num_batches_tracked stays a plain I64 entry', () => {
    const m = model();
    m.train();
    m.forward(randn([4, 6, 5])); // num_batches_tracked = 1, running stats moved
    const sd = m.stateDict();
    expect(Object.keys(sd)).toEqual(['0.weight', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '4.weight', '4.bias']);
    const conv = m.at(0) as nn.Conv1d, bn = m.at(1) as nn.BatchNorm1d;
    expect(conv.weight.requiresGrad).toBe(true);
    expectTensorEntry(sd['0.weight'], [10, 6, 3], conv.weight.data);
    expectTensorEntry(sd['1.running_var'], [10], bn.runningVar!.data);
    // A copy: changing the entry leaves the parameter alone.
    const before = conv.weight.data[0]!;
    (sd['0.weight'] as Tensor).data[0] = before + 1;
    expect(conv.weight.data[0]).toBe(before);
    const nbt = sd['1.num_batches_tracked']!;
    expect(nbt).not.toBeInstanceOf(Tensor);
    expect(plain(nbt)).toEqual({ dtype: 'I64', shape: [], data: [1n] });
  });

  it('a structured clone (postMessage to a worker) keeps dtype F32, and loads and re-encodes', () => {
    const m = model();
    const sd = m.stateDict();
    const cloned = structuredClone(sd) as StateDict;
    expect(cloned['0.weight']).not.toBeInstanceOf(Tensor); // structured clone drops classes
    expect(cloned['0.weight']!.dtype).toBe('F32');
    expect(cloned['1.num_batches_tracked']!.dtype).toBe('I64');
    const other = model();
    (other.at(0) as nn.Conv1d).weight.data.fill(0);
    other.loadStateDict(cloned);
    expect(Array.from((other.at(0) as nn.Conv1d).weight.data)).toEqual(Array.from((m.at(0) as nn.Conv1d).weight.data));
    const decoded = decodeSafetensors(encodeSafetensors(cloned)).tensors;
    expectTensorEntry(decoded['4.weight'], [2, 50], (m.at(4) as nn.Linear).weight.data);
  });
});

describe('decodeSafetensors', () => {
  it('F32 entries are Tensors; F64, I64, I32 and U8 entries stay plain', () => {
    const dict: StateDict = {
      f32: { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, -2, 0.5, 3) },
      f64: { dtype: 'F64', shape: [3], data: Float64Array.of(0.1, 0.2, 0.3) },
      i64: { dtype: 'I64', shape: [2], data: BigInt64Array.of(-5n, 7n) },
      i32: { dtype: 'I32', shape: [1, 2], data: Int32Array.of(4, -9) },
      u8: { dtype: 'U8', shape: [3], data: Uint8Array.of(0, 128, 255) },
    };
    const { tensors } = decodeSafetensors(encodeSafetensors(dict));
    expectTensorEntry(tensors.f32, [2, 2], Float32Array.of(1, -2, 0.5, 3));
    for (const k of ['f64', 'i64', 'i32', 'u8']) {
      expect(tensors[k], k).not.toBeInstanceOf(Tensor);
      expect(plain(tensors[k]!), k).toEqual(plain(dict[k]!));
      expect(tensors[k]!.data.constructor, k).toBe(dict[k]!.data.constructor);
    }
  });

  it('F16 and BF16 entries widen to F32 Tensors', () => {
    // F16: 1 = 0x3C00, -2 = 0xC000, 0.5 = 0x3800; BF16: 1 = 0x3F80, -3 = 0xC040 (little-endian bytes).
    const header = '{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2,1],"data_offsets":[6,10]}}';
    const padded = header.padEnd(Math.ceil(header.length / 8) * 8, ' ');
    const data = [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x80, 0x3f, 0x40, 0xc0];
    const bytes = new Uint8Array(8 + padded.length + data.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(padded.length), true);
    bytes.set(new TextEncoder().encode(padded), 8);
    bytes.set(data, 8 + padded.length);
    const { tensors } = decodeSafetensors(bytes);
    expectTensorEntry(tensors.h, [3], Float32Array.of(1, -2, 0.5));
    expectTensorEntry(tensors.b, [2, 1], Float32Array.of(1, -3));
  });
});

describe('load / loadSync / loadWithMetadata', () => {
  it('every loader gives Tensors with the saved values, and an I64 buffer as a plain entry', async () => {
    const m = model();
    const path = join(dir, 'm.safetensors');
    await save(path, m.stateDict(), { metadata: { epoch: '3' } });
    const conv = m.at(0) as nn.Conv1d;
    const results: Array<[string, StateDict]> = [
      ['load', await load(path)],
      ['loadSync', loadSync(path)],
      ['loadWithMetadata', (await loadWithMetadata(path)).tensors],
      ['loadWithMetadataSync', loadWithMetadataSync(path).tensors],
    ];
    for (const [name, sd] of results) {
      expect(Object.keys(sd), name).toHaveLength(8);
      expectTensorEntry(sd['0.weight'], [10, 6, 3], conv.weight.data);
      expect(sd['1.num_batches_tracked'], name).not.toBeInstanceOf(Tensor);
      expect(plain(sd['1.num_batches_tracked']!), name).toEqual({ dtype: 'I64', shape: [], data: [0n] });
    }
    expect(loadWithMetadataSync(path).metadata).toEqual({ epoch: '3' });
  });

  it('a loaded input goes straight into a module and gives the same output as the original', () => {
    manualSeed(11);
    const conv = new nn.Conv1d(6, 10, 3).eval();
    const x = randn([7, 6, 33]);
    const path = join(dir, 'batch.safetensors');
    saveSync(path, { x });
    const loaded = loadSync(path).x;
    expect(loaded).toBeInstanceOf(Tensor);
    const want = noGrad(() => conv.forward(x));
    const got = noGrad(() => conv.forward(loaded as Tensor));
    expect(got.shape).toEqual([7, 10, 31]);
    expect(Buffer.compare(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength),
      Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength))).toBe(0);
  });

  it('a loaded state dict loads back into a model (F32 Tensors and the I64 buffer)', () => {
    const m = model();
    m.train();
    m.forward(randn([4, 6, 5]));
    m.forward(randn([4, 6, 5]));
    const path = join(dir, 'state.safetensors');
    saveSync(path, m.stateDict());
    const other = model();
    other.loadStateDict(loadSync(path));
    const bnA = m.at(1) as nn.BatchNorm1d, bnB = other.at(1) as nn.BatchNorm1d;
    expect(bnB.numBatchesTracked!.value).toBe(2);
    expect(Array.from(bnB.runningMean!.data)).toEqual(Array.from(bnA.runningMean!.data));
    expect(Array.from(bnB.runningMean!.data).some((v) => v !== 0)).toBe(true);
  });
});

describe('a PyTorch-written file', () => {
  it("feeds its tensors straight to a model, and its state into the same module tree", async () => {
    const path = new URL('../fixtures/io/torch_module.safetensors', import.meta.url).pathname; // Conv1d(3, 4, 3, bias=False) → BatchNorm1d(4), PyTorch 1.13
    const sd = await load(path);
    const w = sd['0.weight']!;
    expect(w).toBeInstanceOf(Tensor);
    // A float tensor from the file is an input like any other: (4, 3, 3) = (N, C, L) for a Conv1d over 3 channels.
    manualSeed(1);
    const conv = new nn.Conv1d(3, 2, 3, { padding: 1 });
    const out = noGrad(() => conv.forward(w as Tensor));
    const copy = noGrad(() => conv.forward(new Tensor(Float32Array.from(w.data as Float32Array), [...w.shape])));
    expect(out.shape).toEqual([4, 2, 3]);
    expect(Array.from(out.data)).toEqual(Array.from(copy.data));
    // And the whole state loads into keel's module of the same tree.
    const model = new nn.Sequential(new nn.Conv1d(3, 4, 3, { bias: false }), new nn.BatchNorm1d(4));
    model.loadStateDict(sd);
    expect(Array.from(model.stateDict()['1.running_var']!.data as Float32Array)).toEqual(Array.from(sd['1.running_var']!.data as Float32Array));
  });
});
