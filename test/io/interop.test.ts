/**
 * safetensors interop with PyTorch, through committed fixtures (CI needs no Python):
 *
 * - PyTorch → keel: test/fixtures/io/torch_*.safetensors were written from torch tensors by
 *   test/fixtures/io/make_io_fixtures.py (laid out as the reference writer lays them out), with the
 *   expected values in torch_expected.json. keel decodes them bit for bit, and the module file loads
 *   into a keel module with the same state-dict keys (num_batches_tracked as an int64 scalar).
 * - keel → PyTorch: keel_written.safetensors is what keel's encoder writes for the state below; this
 *   test fails if the encoder's bytes ever change. `make_io_fixtures.py --verify` checks that file
 *   with PyTorch (values, byte-identical re-encoding, load_state_dict into the torch model).
 *   Regenerate with KEEL_WRITE_IO_FIXTURES=1 npx vitest run test/io/interop.test.ts, then run
 *   /usr/bin/python3 test/fixtures/io/make_io_fixtures.py --verify test/fixtures/io/keel_written.safetensors
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { Int64Buffer, type StateDict } from '../../src/io/state.js';
import { bytesOf, specOf, specValue, type TensorSpec, TinyNet } from './helpers.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'io');

interface FileSpec {
  metadata: Record<string, string>;
  tensors: Record<string, TensorSpec>;
}

const expected = JSON.parse(readFileSync(join(FIXTURES, 'torch_expected.json'), 'utf8')) as { torch: string; files: Record<string, FileSpec> };

/** Checks a decoded state against a fixture description, value by value and bit for bit. */
function expectMatches(got: StateDict, spec: Record<string, TensorSpec>, file: string): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(spec).sort());
  for (const [name, want] of Object.entries(spec)) {
    const t = got[name]!;
    const widened = want.dtype === 'F16' || want.dtype === 'BF16';
    expect({ name, dtype: t.dtype, shape: [...t.shape] }).toEqual({ name, dtype: widened ? 'F32' : want.dtype, shape: want.shape });
    expect(t.data.length).toBe(want.values.length);
    want.values.forEach((v, i) => {
      const w = specValue(v, want.dtype);
      const g = t.data[i]!;
      const ok = typeof w === 'number' && Number.isNaN(w) ? Number.isNaN(g as number) : Object.is(g, w);
      if (!ok) throw new Error(`${file} ${name}[${i}] (${want.dtype}): expected ${String(w)}, got ${String(g)}`);
    });
  }
}

describe('PyTorch → keel', () => {
  for (const [file, spec] of Object.entries(expected.files)) {
    it(`decodes ${file} (written from torch ${expected.torch}) bit for bit`, () => {
      const { tensors, metadata } = decodeSafetensors(readFileSync(join(FIXTURES, file)));
      expect(metadata).toEqual(spec.metadata);
      expectMatches(tensors, spec.tensors, file);
    });
  }

  it('covers the dtypes, int64 beyond 2^53, scalars and empty tensors', () => {
    const all = Object.values(expected.files).flatMap((f) => Object.values(f.tensors));
    expect(new Set(all.map((t) => t.dtype))).toEqual(new Set(['F32', 'F64', 'I64', 'I32', 'U8', 'F16', 'BF16']));
    expect(all.some((t) => t.shape.length === 0 && t.dtype === 'I64')).toBe(true);
    expect(all.some((t) => t.values.length === 0)).toBe(true);
    expect(all.some((t) => t.dtype === 'I64' && t.values.some((v) => BigInt(v) > 2n ** 53n))).toBe(true);
  });

  it("loads torch's Sequential(Conv1d, BatchNorm1d) state dict into a keel module with the same keys", () => {
    const { tensors } = decodeSafetensors(readFileSync(join(FIXTURES, 'torch_module.safetensors')));
    const net = new TinyNet(5);
    const result = net.loadStateDict(tensors);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(net.numBatchesTracked.value).toBe(3);
    const spec = expected.files['torch_module.safetensors']!.tensors;
    expectMatches(net.stateDict(), spec, 'torch_module.safetensors (after loadStateDict)');
  });
});

/** The state keel_written.safetensors holds: a module's state dict plus every dtype and edge case. */
function keelState(): StateDict {
  return {
    ...new TinyNet(3).stateDict(),
    'extra.f64': { dtype: 'F64', shape: [2, 2], data: Float64Array.of(Math.PI, -1e308, 5e-324, 1 / 3) },
    'extra.f32_special': { dtype: 'F32', shape: [6], data: Float32Array.of(0, -0, Infinity, -Infinity, NaN, 1e-45) },
    'extra.i64': { dtype: 'I64', shape: [4], data: BigInt64Array.of(2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, -1n) },
    'extra.count': new Int64Buffer([], BigInt64Array.of(2n ** 40n + 5n)),
    'extra.i32': { dtype: 'I32', shape: [1, 3], data: Int32Array.of(-(2 ** 31), 2 ** 31 - 1, 7) },
    'extra.u8': { dtype: 'U8', shape: [3], data: Uint8Array.of(0, 128, 255) },
    'extra.scalar': { dtype: 'F32', shape: [], data: Float32Array.of(-2.5) },
    'extra.empty': { dtype: 'F32', shape: [0], data: new Float32Array(0) },
    'extra.empty_i64': { dtype: 'I64', shape: [3, 0], data: new BigInt64Array(0) },
  };
}
const KEEL_META = { format: 'pt', writer: 'keel', note: 'café ✓' };

describe('keel → PyTorch', () => {
  const state = keelState();
  const bytes = encodeSafetensors(state, KEEL_META);
  const description = { metadata: KEEL_META, tensors: Object.fromEntries(Object.entries(state).map(([k, t]) => [k, specOf(t)])) };
  // Objects indented, each list on one line (as make_io_fixtures.py writes torch_expected.json).
  const jsonText = `${JSON.stringify(description, null, 2).replace(/\[[^[\]{}]*\]/g, (list) => JSON.stringify(JSON.parse(list)).replace(/,/g, ', '))}\n`;
  const binPath = join(FIXTURES, 'keel_written.safetensors');
  const jsonPath = join(FIXTURES, 'keel_written.json');
  if (process.env.KEEL_WRITE_IO_FIXTURES === '1') {
    writeFileSync(binPath, bytes);
    writeFileSync(jsonPath, jsonText);
  }

  it('the encoder still writes exactly the committed keel_written.safetensors (verified by PyTorch)', () => {
    const committed = readFileSync(binPath);
    expect(Buffer.from(bytes).equals(committed), 'encoder output differs from the committed fixture: see this file\'s header to regenerate and re-verify').toBe(true);
    expect(readFileSync(jsonPath, 'utf8')).toBe(jsonText);
  });

  it('the committed file decodes to the state it was written from', () => {
    const { tensors, metadata } = decodeSafetensors(readFileSync(binPath));
    expect(metadata).toEqual(KEEL_META);
    expectMatches(tensors, description.tensors, 'keel_written.safetensors');
    for (const [k, t] of Object.entries(state)) expect(Buffer.from(bytesOf(tensors[k]!.data)).equals(Buffer.from(bytesOf(t.data))), k).toBe(true);
  });
});
