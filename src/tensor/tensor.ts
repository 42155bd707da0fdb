/**
 * Tensor: float32 data in a Float32Array (row-major, contiguous), a shape, and the autograd links.
 * Define-by-run: each op that sees an input requiring grad (with grad mode on) records a GradNode
 * holding what its backward needs; loss.backward() walks the graph (./autograd.ts), accumulates into
 * `.grad` of every leaf that requires it, and releases what the nodes held.
 */
import { runBackward } from './autograd.js';
import { isGradEnabled } from './grad-mode.js';
import { recycleFloat32 } from './storage.js';
import { checkShape, formatShape, inferShape, numel, sameShape, showValue, type Shape } from './shape.js';
import { OptionError, ShapeError, StateError } from '../errors.js';

/**
 * Gradients of an op's inputs from the gradient of its output; null where an input needs none.
 * Each returned array must be either fresh (allocated by this call, referenced nowhere else) or
 * `grad` itself: the engine writes into, hands out and recycles the fresh ones (./autograd.ts).
 */
export type BackwardFn = (grad: Float32Array, needs: readonly boolean[]) => ReadonlyArray<Float32Array | null>;

/** One recorded op: its inputs and the closure computing their gradients. */
export class GradNode {
  private fn: BackwardFn | null;

  constructor(
    /** The op's name, e.g. 'conv1d' (in error messages). */
    readonly name: string,
    /** The op's tensor inputs, in argument order; null for an input that is not a tensor. */
    readonly inputs: ReadonlyArray<Tensor | null>,
    fn: BackwardFn,
    /**
     * Called once when backward frees the graph (not with retainGraph): an op whose input is a
     * temporary only it holds hands that input's array back to the storage pool here. Afterwards
     * that input tensor's data may hold other values. @internal
     */
    private onRelease: (() => void) | null = null,
  ) {
    this.fn = fn;
  }

  /** Runs the op's backward: gradients of its inputs (null where not needed) from the gradient of its output. Throws if the graph was already freed. */
  apply(grad: Float32Array): ReadonlyArray<Float32Array | null> {
    if (!this.fn) {
      throw new StateError(
        `${this.name}: trying to backward through the graph a second time; the saved values were freed by the first backward() (pass { retainGraph: true } to keep them)`,
      );
    }
    return this.fn(grad, this.inputs.map((t) => t?.requiresGrad ?? false));
  }

  /**
   * Also calls fn when backward frees the graph (after the op's own release, if any): a caller that
   * knows the op's output is a temporary nobody else holds recycles its array here. The node is
   * released after every op that consumed the output, so nothing reads the array afterwards. @internal
   */
  alsoOnRelease(fn: () => void): void {
    const own = this.onRelease;
    this.onRelease = own ? () => (own(), fn()) : fn;
  }

  /** Drops what the op saved for backward. */
  release(): void {
    this.fn = null;
    const done = this.onRelease;
    this.onRelease = null;
    done?.();
  }
}

/** Options of the tensor constructors (torch's requires_grad keyword). */
export interface TensorOptions {
  /** Record ops on this tensor for backward. Default false. */
  requiresGrad?: boolean;
}

/**
 * requiresGrad from a tensor constructor's options (`where` names the constructor in errors): the
 * options must be an object whose only key is requiresGrad, a boolean. Absent options (every op's
 * output) cost one comparison.
 */
export function requiresGradOption(where: string, options: unknown): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new OptionError(`${where}: options must be an object, got ${showValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'requiresGrad') throw new OptionError(`${where}: unknown option "${key}" (known options: requiresGrad)`);
  }
  const on = (options as TensorOptions).requiresGrad;
  if (on !== undefined && typeof on !== 'boolean') throw new OptionError(`${where}: requiresGrad must be true or false, got ${showValue(on)}`);
  return on ?? false;
}

/**
 * @internal The options of keel's own constructions (op outputs, arrays keel allocated or already
 * checked): requiresGrad false, and data.buffer left unread — reading it makes V8 move a small
 * on-heap array off the heap, which measured ~0.5 µs per tensor and doubled the cost of small ops.
 */
export const INTERNAL: TensorOptions = Object.freeze({});

/** Whether `data` sits on a buffer whose size can change (resizable ArrayBuffer, growable SharedArrayBuffer). */
function onResizableBuffer(data: Float32Array): boolean {
  const b = data.buffer as ArrayBufferLike & { resizable?: boolean; growable?: boolean };
  return b.resizable === true || b.growable === true;
}

/**
 * t's gradient, read without handing it out: the library's own reads, which keep no reference. Set
 * by Tensor's static block, the one place outside the class that can read its private field. @internal
 */
export let gradOf: (t: Tensor) => Tensor | null;

/** A float32 tensor (torch.Tensor, dtype float32 only): contiguous row-major data in a Float32Array, a shape, and define-by-run autograd (requiresGrad, grad, backward()). Create with tensor(), zeros(), randn(), … or new Tensor(data, shape). */
export class Tensor {
  /** The elements in row-major order; length is numel. Writing into it changes the tensor in place (outside autograd). */
  readonly data: Float32Array;
  /** Size of each dimension, e.g. [N, C, L]; [] for a 0-d scalar. */
  readonly shape: Shape;
  /**
   * Number of elements (the product of shape; 1 for a 0-d tensor), fixed at construction: data.length
   * differs from it only when data's buffer was detached (transferred) since, which checkTensor refuses.
   */
  readonly numel: number;
  /** Whether ops on this tensor are recorded for backward (PyTorch's requires_grad). */
  requiresGrad: boolean;
  /**
   * Accumulated gradient of a leaf tensor after backward(); null until then. Reading it hands the
   * gradient out: zeroGrad() or an assignment then drops it without recycling its array.
   */
  get grad(): Tensor | null {
    const g = this.#grad;
    if (g !== null) handedOut.add(g);
    return g;
  }
  /**
   * Assigns the gradient (e.g. null, or one of your own, which keel never recycles). The gradient it
   * replaces has its array handed back to the storage pool when nobody can still hold it: backward
   * made it and no one has read .grad since. So a hand-written loop (zeroGrad's set-to-none, backward,
   * step) reuses its gradient arrays as fit does; fresh ones cost page faults every step, which made
   * the MLP's step 5x slower (npm run bench:loop).
   */
  set grad(g: Tensor | null) {
    // Checked here, as PyTorch checks an assignment to .grad: a wrong one would otherwise surface
    // only in step(), far from its cause, or (same element count, other shape) not at all.
    if (g !== null) checkGradLike('Tensor.grad', this, g, 'the assigned gradient', 'a Tensor or null');
    const old = this.#grad;
    this.#grad = g;
    if (old !== null && old !== g && !handedOut.has(old)) recycleGrad(old);
  }
  #grad: Tensor | null = null;
  static {
    gradOf = (t) => t.#grad;
  }
  /** The op that produced this tensor (null for leaves). */
  gradFn: GradNode | null = null;

  constructor(data: Float32Array, shape: Shape, options?: TensorOptions) {
    const s = checkShape('Tensor', shape);
    if (!(data instanceof Float32Array)) throw new OptionError(`Tensor: data must be a Float32Array, got ${showValue(data)}`);
    // A view of a resizable buffer could shrink under the tensor, which every op and kernel assumes
    // has numel elements: refused here. checkTensor's one compare catches the other way (a buffer
    // transferred away after creation), and a resizable one passed to the internal fromOp path.
    const internal = options === INTERNAL;
    if (!internal && onResizableBuffer(data)) {
      throw new OptionError('Tensor: data must not be a view of a resizable or growable buffer (its length could change under the tensor), got a Float32Array on one; copy it: new Float32Array(data)');
    }
    const count = numel(s);
    if (data.length !== count) {
      throw new ShapeError(`Tensor: data has ${data.length} elements but shape ${formatShape(s)} needs ${count}${data.length === 0 && count > 0 ? ' (was its buffer detached, e.g. transferred by postMessage?)' : ''}`);
    }
    this.data = data;
    this.shape = Object.freeze(s);
    this.numel = count;
    this.requiresGrad = internal ? false : requiresGradOption('Tensor', options);
  }

  /** Always 'F32'. A field, not a getter, so a structured clone (a worker's copy) still has it. */
  readonly dtype = 'F32' as const;

  /** Number of dimensions (shape.length). */
  get ndim(): number {
    return this.shape.length;
  }

  /** True for tensors not produced by a recorded op (created by the user, or outside grad mode); only leaves get .grad. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Size of dimension `dim` (negative counts from the end). */
  size(dim: number): number {
    const d = dim < 0 ? dim + this.ndim : dim;
    if (!Number.isInteger(d) || d < 0 || d >= this.ndim) {
      throw new OptionError(`Tensor.size: dim ${dim} out of range for shape ${formatShape(this.shape)}`);
    }
    return this.shape[d]!;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1) throw new ShapeError(`Tensor.item: expected one element, got shape ${formatShape(this.shape)}`);
    return this.data[0]!;
  }

  /** The values as a flat array of numbers. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** A tensor sharing this data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, INTERNAL);
  }

  /** A copy of the data, in the graph (gradient flows back unchanged). */
  clone(): Tensor {
    return fromOp('clone', new Float32Array(this.data), this.shape, [this], (g) => [g]);
  }

  /** Sets requiresGrad on a leaf; returns this. */
  requiresGrad_(on = true): this {
    if (!this.isLeaf && !on) throw new StateError('requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor; use detach()');
    this.requiresGrad = on;
    return this;
  }

  /** The same data under a new shape (one dimension may be -1). */
  reshape(...shape: number[]): Tensor {
    const s = inferShape('reshape', this.numel, shape);
    return fromOp('reshape', this.data, s, [this], (g) => [g]);
  }

  /** Alias of reshape (tensors are always contiguous). */
  view(...shape: number[]): Tensor {
    return this.reshape(...shape);
  }

  /** Flattens dimensions startDim..endDim into one (PyTorch's defaults: 0, -1). */
  flatten(startDim = 0, endDim = -1): Tensor {
    const n = this.ndim;
    const s = startDim < 0 ? startDim + n : startDim, e = endDim < 0 ? endDim + n : endDim;
    if (n === 0) return this.reshape(1);
    if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e < n)) {
      throw new OptionError(`flatten: startDim ${startDim} / endDim ${endDim} out of range for shape ${formatShape(this.shape)}`);
    }
    const merged = this.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return this.reshape(...this.shape.slice(0, s), merged, ...this.shape.slice(e + 1));
  }

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires grad and adds it
   * to their `.grad`. Without `gradient` the tensor must hold one element (a loss).
   */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new StateError('backward: this tensor does not require grad and has no gradFn (were its inputs created with requiresGrad, and was grad mode on?)');
    }
    let g: Float32Array;
    if (gradient === undefined) {
      if (this.numel !== 1) throw new ShapeError(`backward: gradient can be implicit only for one-element outputs, got shape ${formatShape(this.shape)}`);
      g = new Float32Array([1]);
    } else {
      checkGradLike('backward', this, gradient, 'gradient', 'a Tensor');
      g = gradient.data; // read only: the engine adds only into arrays it allocated itself
    }
    runBackward(this, g, options.retainGraph ?? false);
  }

  /**
   * Adds `g` to `.grad` (called by the engine on leaves). With `adopt` (an array the engine owns and
   * will not touch again) a first gradient is taken as .grad without a copy; returns whether it was.
   */
  accumulateGrad(g: Float32Array, adopt = false): boolean {
    if (this.#grad === null) {
      this.#grad = new Tensor(adopt ? g : new Float32Array(g), this.shape, INTERNAL);
      if (adopt) adoptedGrads.add(this.#grad);
      return adopt;
    } else {
      const acc = this.#grad.data;
      for (let i = 0; i < acc.length; i++) acc[i]! += g[i]!;
      return false;
    }
  }

  /** A short printout: shape, the first six values, and requiresGrad. */
  toString(): string {
    const head = Array.from(this.data.subarray(0, 6), (v) => v.toPrecision(4)).join(', ');
    return `Tensor(shape=${formatShape(this.shape)}, [${head}${this.numel > 6 ? ', …' : ''}]${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/** Throws unless g is a Tensor of t's shape (PyTorch's checks on .grad = g and backward(g)). */
function checkGradLike(where: string, t: Tensor, g: unknown, what: string, expected: string): void {
  if (!(g instanceof Tensor)) throw new OptionError(`${where}: ${what} must be ${expected}, got ${showValue(g)}`);
  if (!sameShape(g.shape, t.shape)) {
    throw new ShapeError(`${where}: ${what} shape ${formatShape(g.shape)} does not match tensor shape ${formatShape(t.shape)}`);
  }
}

/** Gradients accumulateGrad built around an array the engine handed over: nobody else was given that array. */
const adoptedGrads = new WeakSet<Tensor>();
/** Gradients read through the `grad` getter: whoever read one may still hold it. */
const handedOut = new WeakSet<Tensor>();

/** Hands a replaced gradient's array to the storage pool (./storage.ts) when the engine made it. */
function recycleGrad(g: Tensor): void {
  if (adoptedGrads.delete(g)) recycleFloat32(g.data);
}

/**
 * Sets t.grad to null and recycles its array when the engine made it, even when t.grad was read.
 * Only for callers whose contract says a gradient is not used after the next batch starts (fit): a
 * gradient the user assigned is never recycled. @internal
 */
export function releaseGrad(t: Tensor): void {
  const g = gradOf(t);
  if (g === null) return;
  t.grad = null; // recycles it already when it was never read
  recycleGrad(g);
}

/**
 * The result of an op: a new tensor holding `data`; when grad mode is on and any input requires
 * grad, it requires grad too and records `backward`.
 */
export function fromOp(
  name: string, data: Float32Array, shape: Shape, inputs: ReadonlyArray<Tensor | null>, backward: BackwardFn,
  onRelease: (() => void) | null = null,
): Tensor {
  const out = new Tensor(data, shape, INTERNAL);
  if (isGradEnabled() && inputs.some((t) => t?.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = new GradNode(name, inputs, backward, onRelease);
  }
  return out;
}
