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
import { numel, type Shape } from '../tensor/shape.js';
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
