/**
 * State tensors: what a state dict holds. Parameters and float buffers are Tensors (dtype F32);
 * integer buffers such as BatchNorm's num_batches_tracked are int64 (dtype I64), as in PyTorch, so
 * that state moves both ways through safetensors.
 *
 * Every F32 entry a state dict hands out (Module.stateDict(), load(), decodeSafetensors) is a real
 * Tensor (requiresGrad false), as safetensors' load_file gives PyTorch users tensors: an entry can be
 * passed to a module or an op as it is. Entries of other dtypes (F64, I64, I32, U8) stay plain
 * {dtype, shape, data} objects, since a Tensor holds float32 only.
 */
import { describe, isDetached } from '../data/validate.js';
import { formatShape, numel, type Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** safetensors dtype names for the types keel reads and writes. */
export type DType = 'F32' | 'F64' | 'I64' | 'I32' | 'U8';

/** The typed array behind a state entry, one per DType (F32 → Float32Array, I64 → BigInt64Array, …). */
export type StateData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** One state-dict entry: a Tensor for F32, or plain {dtype, shape, data} for the other dtypes. */
export interface StateTensor {
  /** The element type (safetensors' name). */
  readonly dtype: DType;
  /** Size of each dimension; [] for a scalar. */
  readonly shape: Shape;
  /** The elements in row-major order, in the array type of dtype. */
  readonly data: StateData;
}

/** Keys in PyTorch's order and naming ("0.weight", "1.running_mean", "1.num_batches_tracked"). */
export type StateDict = Record<string, StateTensor>;

/**
 * An entry as load() hands it out, typed so that its dtype tells which it is: a Tensor for F32,
 * usable by modules and ops as it is; a plain {dtype, shape, data} entry for the other dtypes.
 * `if (e.dtype === 'F32') model.forward(e)` type-checks.
 */
export type LoadedEntry = Tensor | (StateTensor & {
  /** F64, I64, I32 or U8: an F32 entry is a Tensor. */
  readonly dtype: Exclude<DType, 'F32'>;
});

/** What load() returns: the entries by name, each a LoadedEntry; a StateDict for loadStateDict. */
export type LoadedStateDict = Record<string, LoadedEntry>;

/** The typed-array constructor of each dtype. */
export const DTYPE_ARRAYS = {
  /** float32. */
  F32: Float32Array,
  /** float64. */
  F64: Float64Array,
  /** int64 (PyTorch's default integer, e.g. num_batches_tracked). */
  I64: BigInt64Array,
  /** int32. */
  I32: Int32Array,
  /** uint8 (masks, bytes). */
  U8: Uint8Array,
} as const;

/** Whether d is a floating-point dtype (F32 or F64). */
export function isFloatDType(d: DType): boolean {
  return d === 'F32' || d === 'F64';
}

/** The values each integer dtype holds, [min, max]: a value outside would wrap when stored. */
const INTEGER_RANGES: Record<DType, readonly [bigint, bigint] | undefined> = {
  F32: undefined,
  F64: undefined,
  I64: [-(2n ** 63n), 2n ** 63n - 1n],
  I32: [-(2n ** 31n), 2n ** 31n - 1n],
  U8: [0n, 255n],
};

/**
 * What is wrong with a value offered as a state entry (for Module.loadStateDict's message), or
 * undefined if it is one: an object whose dtype is a DType, whose shape is a list of non-negative
 * integers, and whose data holds numel(shape) values as the typed array of that dtype — or as a plain
 * array without holes of numbers (float dtypes; NaN and ±Infinity load as they are, as from a
 * Float32Array) or of integers and BigInts in the dtype's range (integer dtypes). Anything else
 * (strings, BigInts for a float dtype, a BigInt64Array under dtype F32, 1.5 under I64) would be
 * converted into garbage or throw halfway through a load, so it is refused before anything is copied.
 */
export function stateEntryProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return `expected a tensor (an object with dtype, shape and data), got ${describe(v)}`;
  const { dtype, shape, data } = v as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_ARRAYS, dtype)) {
    return `dtype must be one of ${Object.keys(DTYPE_ARRAYS).join(', ')}, got ${describe(dtype)}`;
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return `shape must be an array of non-negative integers, got ${describe(shape)}`;
  }
  const array = DTYPE_ARRAYS[dtype as DType], range = INTEGER_RANGES[dtype as DType];
  if (!(data instanceof array)) {
    const plain = range ? `an array of integers in [${range[0]}, ${range[1]}]` : 'an array of numbers';
    if (!Array.isArray(data)) return `data must be a ${array.name} or ${plain} for dtype ${dtype}, got ${describe(data)}`;
    for (let i = 0; i < data.length; i++) {
      if (!(i in data) || !fits(data[i], range)) return `data must be a ${array.name} or ${plain} for dtype ${dtype}, got ${i in data ? describe(data[i]) : 'a hole'} at index ${i}`;
    }
  }
  const n = numel(shape as number[]), length = (data as ArrayLike<unknown>).length;
  if (length === n) return undefined;
  if (ArrayBuffer.isView(data) && isDetached(data.buffer)) return `data's buffer is detached (transferred to another thread), so it holds no values`;
  return `data has ${length} values, shape ${formatShape(shape as number[])} needs ${n}`;
}

/** Whether x can be an element of a plain-array entry: a number (float dtypes), an integer or BigInt in range (integer dtypes). */
function fits(x: unknown, range: readonly [bigint, bigint] | undefined): boolean {
  if (!range) return typeof x === 'number';
  if (typeof x !== 'bigint' && !Number.isSafeInteger(x)) return false;
  const b = BigInt(x as number | bigint);
  return b >= range[0] && b <= range[1];
}

/** An int64 scalar or array (e.g. num_batches_tracked), as a state entry. */
export class Int64Buffer implements StateTensor {
  /** Always 'I64'. */
  readonly dtype = 'I64' as const;
  /** The values (zeros unless given). */
  readonly data: BigInt64Array;

  constructor(
    /** Size of each dimension; default [] (a scalar). */
    readonly shape: Shape = [],
    data?: BigInt64Array,
  ) {
    this.data = data ?? new BigInt64Array(numel(shape));
  }

  /** The first value as a number (exact below 2^53). */
  get value(): number {
    return Number(this.data[0]!);
  }

  /** Sets the first value (an integer, exact below 2^53). */
  set value(v: number) {
    this.data[0] = BigInt(v);
  }
}

/**
 * A state entry as handed to users: F32 data becomes a Tensor that owns `data` (not a copy; shape
 * copied, requiresGrad false); any other dtype stays a plain entry. (A structured clone of such a
 * Tensor — a worker's copy — is a plain {dtype, shape, data, ...} entry, which loadStateDict accepts.)
 */
export function stateEntry(dtype: DType, shape: Shape, data: StateData): StateTensor {
  if (dtype === 'F32' && data instanceof Float32Array) {
    return new Tensor(data, shape);
  }
  return { dtype, shape: [...shape], data };
}

/** A deep copy of a state entry: a Tensor for F32 data (see stateEntry), a plain entry otherwise. */
export function copyState(t: StateTensor): StateTensor {
  return stateEntry(t.dtype, t.shape, t.data.slice() as StateData);
}
