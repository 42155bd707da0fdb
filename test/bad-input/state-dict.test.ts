/**
 * Bad-input battery (issue 12) for Module.loadStateDict: wrong keys, shapes, dtypes, lengths, values
 * that are not numbers, holes, entries that lie about their dtype, and bad options — each refused
 * with the model bitwise unchanged (parameters, BatchNorm buffers, num_batches_tracked, mode).
 * Loading NaN weights, converting F64/I32 entries and copying entries on views at odd offsets are
 * documented results.
 */
import { manualSeed, nn, FormatError, OptionError, Tensor, type StateDict } from '../../src/index.js';
import { battery, type Case, detachedFloat32, modelState, viewAt } from './battery.js';

const bad = (v: unknown) => v as never;

/** Conv1d(2→3, k 3, no bias) → BatchNorm1d(3) → ReLU → Flatten → Linear(3·4 → 1), seeded. */
function model(): nn.Sequential {
  manualSeed(3);
  return new nn.Sequential(new nn.Conv1d(2, 3, 3, { padding: 1, bias: false }), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(12, 1));
}

/** A model, and loadStateDict of its own state dict edited by `edit`; the snapshot is the model's. */
function loading(edit: (sd: Record<string, unknown>) => void, options?: unknown): Pick<Case, 'call' | 'state'> {
  const m = model();
  // Different values from the model's, so a partial load would show in the snapshot.
  const sd = model().stateDict() as Record<string, unknown>;
  for (const v of Object.values(sd)) if (v instanceof Tensor) v.data.fill(0.25);
  edit(sd);
  return { call: () => m.loadStateDict(bad(sd), bad(options)), state: modelState(m) };
}
const f32 = (shape: number[], data: ArrayLike<unknown> = new Float32Array(shape.reduce((a, b) => a * b, 1))) => ({ dtype: 'F32', shape, data });

const cases: Case[] = [
  { name: 'a missing key', ...loading((sd) => { delete sd['4.bias']; }), error: FormatError, message: /4\.bias/ },
  { name: 'an unexpected key', ...loading((sd) => { sd['5.weight'] = f32([1]); }), error: FormatError, message: /5\.weight/ },
  { name: 'a misspelt BatchNorm key (running_mean → runningMean)', ...loading((sd) => { sd['1.runningMean'] = sd['1.running_mean']; delete sd['1.running_mean']; }), error: FormatError, message: /running_mean|runningMean/ },
  { name: 'a "__proto__" key (JSON-parsed)', ...loading((sd) => { Object.defineProperty(sd, '__proto__', { value: f32([1]), enumerable: true }); }), error: FormatError, message: /__proto__/ },
  { name: 'a transposed Linear weight', ...loading((sd) => { sd['4.weight'] = f32([12, 1]); }), error: FormatError, message: /4\.weight/ },
  { name: 'a Conv1d weight with one more channel', ...loading((sd) => { sd['0.weight'] = f32([3, 3, 3]); }), error: FormatError, message: /0\.weight/ },
  { name: 'a scalar for a vector', ...loading((sd) => { sd['1.weight'] = f32([]); }), error: FormatError, message: /1\.weight/ },
  { name: 'data shorter than the shape', ...loading((sd) => { sd['1.bias'] = f32([3], new Float32Array(2)); }), error: FormatError, message: /1\.bias/ },
  { name: 'data longer than the shape', ...loading((sd) => { sd['1.bias'] = f32([3], new Float32Array(4)); }), error: FormatError, message: /1\.bias/ },
  { name: 'an int64 entry for a float parameter', ...loading((sd) => { sd['1.bias'] = { dtype: 'I64', shape: [3], data: new BigInt64Array(3) }; }), error: FormatError, message: /1\.bias/ },
  { name: 'a float entry for num_batches_tracked', ...loading((sd) => { sd['1.num_batches_tracked'] = f32([], new Float32Array(1)); }), error: FormatError, message: /num_batches_tracked/ },
  { name: 'num_batches_tracked claiming I64 over Float32 data 1.5 (the last key: a partial load would show)', ...loading((sd) => { sd['1.num_batches_tracked'] = { dtype: 'I64', shape: [], data: Float32Array.of(1.5) }; }), error: FormatError, message: /num_batches_tracked/ },
  { name: 'an entry claiming F32 over BigInt64 data', ...loading((sd) => { sd['1.bias'] = { dtype: 'F32', shape: [3], data: new BigInt64Array(3) }; }), error: FormatError, message: /1\.bias/ },
  { name: 'an unknown dtype "F16"', ...loading((sd) => { sd['1.bias'] = { dtype: 'F16', shape: [3], data: new Uint16Array(3) }; }), error: FormatError, message: /1\.bias|F16/ },
  { name: 'data a plain array of strings', ...loading((sd) => { sd['1.bias'] = f32([3], ['a', 'b', 'c']); }), error: FormatError, message: /1\.bias/ },
  { name: 'data a sparse array', ...loading((sd) => { const a: number[] = []; a[2] = 1; sd['1.bias'] = f32([3], a); }), error: FormatError, message: /1\.bias/ },
  { name: 'data a plain array of BigInts', ...loading((sd) => { sd['1.bias'] = f32([3], [1n, 2n, 3n]); }), error: FormatError, message: /1\.bias/ },
  { name: 'data on a detached buffer', ...loading((sd) => { sd['1.bias'] = f32([3], detachedFloat32(3)); }), error: FormatError, message: /1\.bias|detached/ },
  { name: 'data missing', ...loading((sd) => { sd['1.bias'] = { dtype: 'F32', shape: [3] }; }), error: FormatError, message: /1\.bias/ },
  { name: 'shape missing', ...loading((sd) => { sd['1.bias'] = { dtype: 'F32', data: new Float32Array(3) }; }), error: FormatError, message: /1\.bias/ },
  { name: 'shape a string', ...loading((sd) => { sd['1.bias'] = { dtype: 'F32', shape: '3', data: new Float32Array(3) }; }), error: FormatError, message: /1\.bias/ },
  { name: 'an entry that is null', ...loading((sd) => { sd['1.bias'] = null; }), error: FormatError, message: /1\.bias/ },
  { name: 'an entry that is a number', ...loading((sd) => { sd['1.bias'] = 0; }), error: FormatError, message: /1\.bias/ },
  { name: 'strict false still refuses a wrong shape', ...loading((sd) => { sd['4.weight'] = f32([2, 12]); }, { strict: false }), error: FormatError, message: /4\.weight/ },
  { name: 'option typo strcit', ...loading(() => undefined, { strcit: false }), error: OptionError, message: /strcit/ },
  { name: 'strict "false" (a string)', ...loading(() => undefined, { strict: 'false' }), error: OptionError, message: /strict/ },
  { name: 'the state dict null', call: () => model().loadStateDict(bad(null)), error: OptionError, message: /state/ },
  // A Map or an array has no own keys: every key is missing.
  { name: 'the state dict a Map', call: () => model().loadStateDict(bad(new Map(Object.entries(model().stateDict())))), error: FormatError, message: /Missing/ },
  { name: 'the state dict an array', call: () => model().loadStateDict(bad([])), error: FormatError, message: /Missing/ },
  {
    name: 'documented: strict false ignores an unexpected key and reports it',
    ...(() => { const m = model(); const sd = { ...m.stateDict(), extra: f32([1]) } as unknown as StateDict; return { call: () => m.loadStateDict(sd, { strict: false }), state: modelState(m) }; })(),
    result: (r) => { if ((r as { unexpectedKeys: string[] }).unexpectedKeys.join() !== 'extra') throw new Error(`unexpectedKeys ${JSON.stringify(r)}`); },
  },
  ...[1, 3].map((offset): Case => ({
    // Every float entry on a view `offset` floats into a buffer of junk: the model takes exactly those values, as a copy.
    name: `documented: entries on views ${offset} floats into their buffers load exactly, and are copied`,
    call: () => {
      const m = model(), want = model().stateDict();
      for (const e of Object.values(want)) if (e.dtype === 'F32') (e.data as Float32Array).forEach((_, i, a) => { a[i] = Math.fround(i * 0.37 - 1); });
      const sd = Object.fromEntries(Object.entries(want).map(([k, e]) => [k, e.dtype === 'F32' ? new Tensor(viewAt(Float32Array, e.data as Float32Array, offset), [...e.shape]) : e]));
      m.loadStateDict(sd);
      for (const e of Object.values(sd)) if (e.dtype === 'F32') (e.data as Float32Array).fill(42);
      return [m.stateDict(), want];
    },
    result: (r) => {
      const [got, want] = r as [StateDict, StateDict];
      for (const [k, e] of Object.entries(want)) if (Array.from(got[k]!.data as ArrayLike<number>).join() !== Array.from(e.data as ArrayLike<number>).join()) throw new Error(`${k}: ${got[k]!.data}`);
    },
  })),
  {
    name: 'documented: an F64 entry converts to float32',
    call: () => { const m = model(); const sd = m.stateDict() as Record<string, unknown>; sd['1.bias'] = { dtype: 'F64', shape: [3], data: Float64Array.of(0.1, 0.2, 0.3) }; m.loadStateDict(bad(sd)); return m; },
    result: (m) => { const b = (m as nn.Sequential).stateDict()['1.bias']!.data; if (b[1] !== Math.fround(0.2)) throw new Error(`got ${b}`); },
  },
  {
    name: 'documented: NaN weights load as they are (no silent repair)',
    call: () => { const m = model(); const sd = m.stateDict(); (sd['1.weight']!.data as Float32Array)[0] = NaN; m.loadStateDict(sd); return m; },
    result: (m) => { if (!Number.isNaN((m as nn.Sequential).stateDict()['1.weight']!.data[0])) throw new Error('NaN was replaced'); },
  },
];

battery('Module.loadStateDict', cases);
