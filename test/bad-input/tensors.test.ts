/**
 * Bad-input battery (issue 12) for tensors and their constructors: tensor(), new Tensor, zeros/ones/
 * full/randn/rand, the *Like constructors, reshape/view/size/item, randperm and manualSeed — values
 * that are not numbers, holes, BigInts, detached and resizable buffers, lengths that do not fill the
 * shape, and negative, fractional, NaN and huge dimensions (products past 2^31 and 2^53; every huge
 * case is past 2^32 elements so a missing check fails in the allocator at once, never by filling
 * gigabytes). Typed-array views at odd offsets into buffers of junk: tensor() copies exactly the
 * view, new Tensor uses it as it is, and the native kernels give on such a view bitwise what they give
 * on an exact copy.
 */
import { F, manualSeed, OptionError, randperm, ShapeError, StateError, Tensor, tensor, zeros, ones, full, randn, rand, zerosLike } from '../../src/index.js';
import { battery, bytesOf, type Case, detach, detachedFloat32, type NumberArray, resizableFloat32, sparse, viewAt } from './battery.js';

const bad = (v: unknown) => v as never;
const values = (want: number[]) => (t: unknown) => {
  const got = Array.from((t as Tensor).data);
  if (got.length !== want.length || got.some((g, i) => !Object.is(g, Math.fround(want[i]!)))) throw new Error(`values ${got} ≠ ${want}`);
};
const shaped = (want: number[]) => (t: unknown) => {
  if ((t as Tensor).shape.join() !== want.join()) throw new Error(`shape (${(t as Tensor).shape}) ≠ (${want})`);
};

/** Values for the typed-array views (Uint8Array takes its own). */
const SIX = [1, -2, 3.5, 4, -5, 6];
const INTS = [1, -2, 3, 4, -5, 6];

/** Dimensions each shape-taking constructor must refuse, with what is wrong with them. */
const BAD_SHAPES: Array<[string, unknown]> = [
  ['a negative dimension', [2, -3]],
  ['a fractional dimension', [2.5, 2]],
  ['a NaN dimension', [NaN]],
  ['an infinite dimension', [Infinity]],
  ['a dimension past 2^53', [0, 2 ** 60]],
  ['a product past 2^31 (2^34 elements)', [2 ** 17, 2 ** 17]],
  ['a product past 2^53', [2 ** 30, 2 ** 30, 2 ** 30]],
  ['a string dimension', [2, '3']],
  ['a BigInt dimension', [2n]],
  ['a sparse shape', sparse(2)],
];

const tensorCases: Case[] = [
  { name: 'an array of strings', call: () => tensor(bad(['a', 'b'])), error: OptionError, message: /tensor/ },
  { name: 'an array with an undefined element', call: () => tensor(bad([1, undefined, 3])), error: OptionError, message: /tensor/ },
  { name: 'a sparse array (holes)', call: () => tensor(sparse(4)), error: OptionError, message: /tensor/ },
  { name: 'a sparse array with an explicit shape', call: () => tensor(sparse(4), [2, 2]), error: OptionError, message: /tensor/ },
  { name: 'an array of BigInts', call: () => tensor(bad([1n, 2n])), error: OptionError, message: /tensor/ },
  { name: 'a BigInt64Array', call: () => tensor(bad(new BigInt64Array([1n, 2n]))), error: OptionError, message: /tensor/ },
  { name: 'an array of objects', call: () => tensor(bad([{}, {}]), [2]), error: OptionError, message: /tensor/ },
  { name: 'an array of booleans', call: () => tensor(bad([true, false])), error: OptionError, message: /tensor/ },
  { name: 'null data', call: () => tensor(bad(null)), error: OptionError, message: /tensor/ },
  { name: 'a string as data', call: () => tensor(bad('abc')), error: OptionError, message: /tensor/ },
  { name: 'a plain object as data', call: () => tensor(bad({ length: 2 })), error: OptionError, message: /tensor/ },
  { name: 'a ragged nested array', call: () => tensor([[1, 2], [3]]), error: ShapeError, message: /ragged/ },
  { name: 'a nested array mixing numbers and arrays', call: () => tensor(bad([1, [2]])), error: ShapeError, message: /ragged/ },
  { name: 'nested data with an explicit shape', call: () => tensor([[1, 2], [3, 4]], [4]), error: OptionError, message: /flat/ },
  { name: '3 values for shape (2, 2)', call: () => tensor([1, 2, 3], [2, 2]), error: ShapeError, message: /\(2, 2\)/ },
  { name: '5 values for shape (2, 2)', call: () => tensor([1, 2, 3, 4, 5], [2, 2]), error: ShapeError, message: /\(2, 2\)/ },
  { name: 'one number for shape (2)', call: () => tensor(1, [2]), error: ShapeError, message: /\(2\)/ },
  ...BAD_SHAPES.map(([what, s]): Case => ({ name: `shape with ${what}`, call: () => tensor([], bad(s)), error: ShapeError, message: /shape/ })),
  { name: 'a shape that is not an array', call: () => tensor([1, 2], bad('2')), error: ShapeError, message: /shape/ },
  { name: 'a detached Float32Array', call: () => tensor(detachedFloat32(4)), error: OptionError, message: /detached/ },
  { name: 'a detached Float32Array with a shape', call: () => tensor(detachedFloat32(4), [4]), error: ShapeError, message: /detached|values|elements/ },
  { name: 'option typo requiresgrad', call: () => tensor([1], [1], bad({ requiresgrad: true })), error: OptionError, message: /requiresgrad/ },
  { name: 'requiresGrad not a boolean', call: () => tensor([1], [1], bad({ requiresGrad: 'yes' })), error: OptionError, message: /requiresGrad/ },
  { name: 'options not an object', call: () => tensor([1], [1], bad(5)), error: OptionError, message: /options/ },
  { name: 'documented: a resizable ArrayBuffer view is copied', call: () => tensor(resizableFloat32(4), [2, 2]), result: values([0.5, 0.5, 0.5, 0.5]) },
  ...viewCases(),
  { name: 'documented: an Int32Array converts', call: () => tensor(new Int32Array([1, -2])), result: values([1, -2]) },
  { name: 'documented: NaN and ±Infinity data are kept', call: () => tensor([NaN, Infinity, -Infinity]), result: values([NaN, Infinity, -Infinity]) },
  { name: 'documented: an empty array is shape (0)', call: () => tensor([]), result: shaped([0]) },
];

/**
 * tensor() of typed-array views at odd offsets into buffers full of junk (viewAt): exactly the view's
 * values, with an explicit shape and without, copied (writing into the view afterwards changes nothing).
 */
function viewCases(): Case[] {
  const kinds: Array<[string, new (n: number) => NumberArray, number[]]> = [
    ['Uint8Array', Uint8Array, [1, 2, 3, 4, 250, 6]], ['Int8Array', Int8Array, INTS], ['Int16Array', Int16Array, INTS],
    ['Int32Array', Int32Array, INTS], ['Float32Array', Float32Array, SIX], ['Float64Array', Float64Array, SIX],
  ];
  return kinds.flatMap(([name, Kind, want]) => [1, 3].flatMap((offset): Case[] => [
    { name: `documented: a ${name} view ${offset} elements into its buffer, shape (2, 3)`, call: () => tensor(viewAt(Kind, want, offset), [2, 3]), result: (x) => { shaped([2, 3])(x); values(want)(x); } },
    { name: `documented: a ${name} view ${offset} elements in, no shape, is copied`, call: () => { const v = viewAt(Kind, want, offset); const x = tensor(v); v[0] = 7; return x; }, result: values(want) },
  ]));
}

/**
 * The native kernels on tensors whose data starts 1, 2 or 3 floats into its buffer (byte offsets
 * 4, 8, 12: never 16- or 64-aligned, as SIMD loads would like) give bitwise what they give on an
 * exact copy of the same values (a buffer of their own) — so they never read the junk around the view.
 */
function kernelOnViewCases(): Case[] {
  const at = (shape: number[], k: number, offset: number | null) => {
    const vals = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7 + k) * 2);
    return new Tensor(offset === null ? Float32Array.from(vals) : viewAt(Float32Array, vals, offset), shape);
  };
  const ops: Array<[string, (o: number | null) => Tensor]> = [
    ['F.conv1d', (o) => F.conv1d(at([2, 3, 37], 0, o), at([5, 3, 3], 1, o), at([5], 2, o), { padding: 1 })],
    ['F.linear', (o) => F.linear(at([7, 19], 0, o), at([5, 19], 1, o), at([5], 2, o))],
    ['F.batchNorm1d (training)', (o) => F.batchNorm1d(at([4, 3, 21], 0, o), null, null, at([3], 1, o), at([3], 2, o), { training: true })],
    ['F.matmul', (o) => F.matmul(at([6, 17], 0, o), at([17, 9], 1, o))],
    ['F.relu', (o) => F.relu(at([67], 0, o))],
    ['F.add', (o) => F.add(at([3, 33], 0, o), at([3, 33], 1, o))],
    ['F.sum', (o) => F.sum(at([3, 41], 0, o), 1)],
  ];
  return ops.flatMap(([name, op]) => [1, 2, 3].map((offset): Case => ({
    name: `documented: ${name} on views ${offset} floats into their buffers equals the aligned result`,
    call: () => [op(offset), op(null)],
    result: (r) => {
      const [got, want] = r as [Tensor, Tensor];
      if (got.data.some(Number.isNaN) || !Buffer.from(bytesOf(got.data)).equals(bytesOf(want.data))) throw new Error(`${got.data.slice(0, 4)}… ≠ aligned ${want.data.slice(0, 4)}…`);
    },
  })));
}

const f32 = (n: number) => new Float32Array(n);
const constructorCases: Case[] = [
  { name: 'a plain array as data', call: () => new Tensor(bad([1, 2]), [2]), error: OptionError, message: /data/ },
  { name: 'a Float64Array as data', call: () => new Tensor(bad(new Float64Array(2)), [2]), error: OptionError, message: /data/ },
  { name: 'an Int32Array as data', call: () => new Tensor(bad(new Int32Array(2)), [2]), error: OptionError, message: /data/ },
  { name: 'an ArrayBuffer as data', call: () => new Tensor(bad(new ArrayBuffer(8)), [2]), error: OptionError, message: /data/ },
  { name: 'undefined data', call: () => new Tensor(bad(undefined), [2]), error: OptionError, message: /data/ },
  { name: '3 values for shape (2, 2)', call: () => new Tensor(f32(3), [2, 2]), error: ShapeError, message: /\(2, 2\)/ },
  { name: '0 values for shape (1)', call: () => new Tensor(f32(0), [1]), error: ShapeError, message: /\(1\)/ },
  { name: '1 value for a scalar shape () is fine but 2 are not', call: () => new Tensor(f32(2), []), error: ShapeError, message: /\(\)/ },
  ...BAD_SHAPES.map(([what, s]): Case => ({ name: `shape with ${what}`, call: () => new Tensor(f32(4), bad(s)), error: ShapeError, message: /shape/ })),
  { name: 'shape missing', call: () => new Tensor(f32(4), bad(undefined)), error: ShapeError, message: /shape/ },
  { name: 'a detached Float32Array', call: () => new Tensor(detachedFloat32(4), [4]), error: ShapeError, message: /detached|elements/ },
  { name: 'a resizable (length-tracking) Float32Array, which could shrink under the tensor', call: () => new Tensor(resizableFloat32(4), [4]), error: OptionError, message: /resizable/ },
  { name: 'option typo requires_grad', call: () => new Tensor(f32(1), [1], bad({ requires_grad: true })), error: OptionError, message: /requires_grad/ },
  ...[1, 2, 3].map((offset): Case => ({
    name: `documented: a Float32Array view ${offset} elements into its buffer is used as it is (shared, no junk)`,
    call: () => { const v = viewAt(Float32Array, SIX, offset); const x = new Tensor(v, [2, 3]); v[5] = -1; return x; },
    result: values([...SIX.slice(0, 5), -1]),
  })),
  ...kernelOnViewCases(),
];

const factoryCases: Case[] = [
  ...(['zeros', 'ones', 'randn', 'rand'] as const).flatMap((name) => {
    const make = { zeros, ones, randn, rand }[name];
    return [
      { name: `${name}: a negative dimension`, call: () => make([3, -1]), error: ShapeError, message: /shape/ },
      { name: `${name}: a fractional dimension`, call: () => make([1.5]), error: ShapeError, message: /shape/ },
      { name: `${name}: a product past 2^31 (2^34 elements)`, call: () => make([2 ** 17, 2 ** 17]), error: ShapeError, message: /shape|elements/ },
      { name: `${name}: a product past 2^53`, call: () => make([2 ** 27, 2 ** 27]), error: ShapeError, message: /shape|elements/ },
      { name: `${name}: dimensions as separate numbers, not an array`, call: () => (make as (...a: unknown[]) => unknown)(2, 3), error: ShapeError, message: /shape/ },
    ] satisfies Case[];
  }),
  { name: 'full: a NaN dimension', call: () => full([NaN], 1), error: ShapeError, message: /shape/ },
  { name: 'full: a string fill value', call: () => full([2], bad('1')), error: OptionError, message: /value/ },
  { name: 'full: a BigInt fill value', call: () => full([2], bad(1n)), error: OptionError, message: /value/ },
  { name: 'documented: full with NaN fills NaN', call: () => full([2], NaN), result: values([NaN, NaN]) },
  { name: 'zeros: option typo', call: () => zeros([2], bad({ requiresGrads: true })), error: OptionError, message: /requiresGrads/ },
  { name: 'zerosLike: not a Tensor', call: () => zerosLike(bad([1, 2])), error: OptionError, message: /Tensor/ },
];

const x = () => new Tensor(new Float32Array(6), [2, 3]);
const methodCases: Case[] = [
  { name: 'reshape to a wrong element count', call: () => x().reshape(4, 2), error: ShapeError, message: /reshape/ },
  { name: 'reshape with two -1', call: () => x().reshape(-1, -1), error: ShapeError, message: /reshape/ },
  { name: 'reshape with a fractional dimension', call: () => x().reshape(1.5, 4), error: ShapeError, message: /reshape/ },
  { name: 'reshape with NaN', call: () => x().reshape(NaN), error: ShapeError, message: /reshape/ },
  { name: 'view with -2', call: () => x().view(-2, -3), error: ShapeError, message: /reshape|view/ },
  { name: 'size(dim) out of range', call: () => x().size(2), error: OptionError, message: /dim/ },
  { name: 'size(NaN)', call: () => x().size(NaN), error: OptionError, message: /dim/ },
  { name: 'item() on 6 elements', call: () => x().item(), error: ShapeError, message: /item/ },
  { name: 'flatten with endDim before startDim', call: () => x().flatten(1, 0), error: OptionError, message: /flatten/ },
  { name: 'backward from a tensor without grad', call: () => x().sum().backward(), error: StateError, message: /grad/ },
  { name: 'a Tensor whose buffer was detached after creation, used in an op', call: () => { const t = x(); detach(t.data); return t.add(1); }, error: ShapeError, message: /detached|elements/ },
];

const randomCases: Case[] = [
  { name: 'manualSeed(-1)', call: () => manualSeed(-1), error: OptionError, message: /seed/ },
  { name: 'manualSeed(1.5)', call: () => manualSeed(1.5), error: OptionError, message: /seed/ },
  { name: 'manualSeed(NaN)', call: () => manualSeed(NaN), error: OptionError, message: /seed/ },
  { name: 'manualSeed(2^53)', call: () => manualSeed(2 ** 53), error: OptionError, message: /seed/ },
  { name: 'manualSeed("1")', call: () => manualSeed(bad('1')), error: OptionError, message: /seed/ },
  { name: 'manualSeed(1n)', call: () => manualSeed(bad(1n)), error: OptionError, message: /seed/ },
  { name: 'randperm(-1)', call: () => randperm(-1), error: OptionError, message: /randperm/ },
  { name: 'randperm(2.5)', call: () => randperm(2.5), error: OptionError, message: /randperm/ },
  { name: 'randperm(NaN)', call: () => randperm(NaN), error: OptionError, message: /randperm/ },
  { name: 'randperm(2^40)', call: () => randperm(2 ** 40), error: ShapeError, message: /randperm/ },
];

battery('tensor()', tensorCases);
battery('new Tensor', constructorCases);
battery('zeros/ones/full/randn/rand/zerosLike', factoryCases);
battery('Tensor methods', methodCases);
battery('manualSeed/randperm', randomCases);
