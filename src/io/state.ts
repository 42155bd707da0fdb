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

export type StateData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface StateTensor {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly data: StateData;
}

/** Keys in PyTorch's order and naming ("0.weight", "1.running_mean", "1.num_batches_tracked"). */
export type StateDict = Record<string, StateTensor>;

export const DTYPE_ARRAYS = {
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  I32: Int32Array,
  U8: Uint8Array,
} as const;

export function isFloatDType(d: DType): boolean {
  return d === 'F32' || d === 'F64';
}

/** An int64 scalar or array (e.g. num_batches_tracked), as a state entry. */
export class Int64Buffer implements StateTensor {
  readonly dtype = 'I64' as const;
  readonly data: BigInt64Array;

  constructor(
    readonly shape: Shape = [],
    data?: BigInt64Array,
  ) {
    this.data = data ?? new BigInt64Array(numel(shape));
  }

  /** The first value as a number (exact below 2^53). */
  get value(): number {
    return Number(this.data[0]!);
  }

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
