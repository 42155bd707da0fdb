/**
 * Sequential: torch.nn.Sequential. Children are named "0", "1", … in order, so state-dict keys are
 * PyTorch's ("0.weight", "1.running_mean"); forward feeds each child's output to the next.
 *
 * Fusion: consecutive children [Conv1d, BatchNorm1d, ReLU, Dropout] (or [Conv1d, BatchNorm1d, ReLU])
 * run as the convolution (which also takes the batch statistics, when BatchNorm uses them, from its
 * output as it writes it: conv1dForwardStats) followed by one fused BatchNorm → ReLU → Dropout op
 * (F.batchNorm1dReluDropout), in training and eval, with the same running-statistics updates,
 * num_batches_tracked and dropout streams as the modules one by one; results agree within the
 * tolerance written in test/fused.sequential.test.ts. In eval with nothing requiring a gradient,
 * BatchNorm is folded into the convolution's weight and bias instead and the convolution applies the
 * ReLU as it writes its output (conv1dReluForward; tolerance in test/fused.eval-fold.test.ts).
 * [Linear, BatchNorm1d, ReLU (, Dropout)] on (N, in) input (the MLP block) fuses the same way: the
 * GEMM, then the fused op over its (N, C) output in place of three ops and their three outputs; in
 * eval, BatchNorm folded into the Linear and a ReLU in place.
 * A BatchNorm1d with virtualBatchSize runs its training blocks layer by layer (it normalises groups
 * of the batch). setFusion(false) or KEEL_FUSION=0 turns fusion off.
 */
import { batchNorm1dReluDropout } from '../functional/conv-block.js';
import { foldBatchNorm } from '../functional/bn-fold.js';
import { reluInPlace } from '../functional/relu.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import { recycleFloat32 } from '../tensor/storage.js';
import type { StateData } from '../io/state.js';
import type { Tensor } from '../tensor/tensor.js';
import { BatchNorm1d } from './batchnorm1d.js';
import { Conv1d } from './conv1d.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { Module, type ModuleJSON } from './module.js';
import { ReLU } from './relu.js';
import { declareContainer, keepsNothing, recycleTemporaries } from './temporaries.js';
import { checkInput, show } from './validate.js';
import { OptionError } from '../errors.js';

let fusion = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.KEEL_FUSION?.trim() !== '0';

/**
 * Turns the fused Conv1d → BatchNorm1d → ReLU → Dropout path of Sequential on or off (default on;
 * off when the environment has KEEL_FUSION=0). For comparisons and benchmarks; results agree either way.
 */
export function setFusion(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new OptionError(`setFusion: enabled must be a boolean, got ${show(enabled)}`);
  fusion = enabled;
}

/** Whether Sequential fuses Conv1d → BatchNorm1d → ReLU → Dropout blocks. */
export function fusionEnabled(): boolean {
  return fusion;
}

/** Children i.. that form a fusable block: how many (3 or 4), or 0. Exact classes only (a subclass may override forward). */
function blockAt(children: Module[], i: number): number {
  const [first, bn, relu, drop] = [children[i], children[i + 1], children[i + 2], children[i + 3]];
  if (bn?.constructor !== BatchNorm1d || relu?.constructor !== ReLU) return 0;
  const width = first?.constructor === Conv1d ? (first as Conv1d).outChannels : first?.constructor === Linear ? (first as Linear).outFeatures : -1;
  if ((bn as BatchNorm1d).numFeatures !== width) return 0;
  return drop?.constructor === Dropout ? 4 : 3;
}

/** The block's first layer → fused BN → ReLU → Dropout, with each module's own bookkeeping and mode. */
function runBlock(children: Module[], i: number, size: number, input: Tensor): Tensor {
  const first = children[i] as Conv1d | Linear, bn = children[i + 1] as BatchNorm1d;
  checkInput(first.describe(), input); // before foldable() reads input.ndim
  const drop = size === 4 ? (children[i + 3] as Dropout) : null;
  // Batched input only: Conv1d (N, C, L); Linear (N, in), whose output BatchNorm1d reads as (N, C).
  // Anything else (unbatched, or Linear over more leading dimensions) runs as the modules do.
  if (input.ndim !== (first instanceof Conv1d ? 3 : 2)) return unfused(children, i, size, input);
  // Ghost batches (BatchNorm1d's virtualBatchSize) normalise groups of the batch: layer by layer.
  if (bn.splitsBatch(input.shape[0]!)) return unfused(children, i, size, input);
  if (foldable(first, bn, drop, input)) return runFolded(first, bn, input);
  // Batch statistics (training, or no running statistics) are taken by the convolution or the GEMM as
  // it writes its output (conv1dForwardStats, linearForwardStats), so the fused tail makes a single
  // pass over h.
  const stats = bn.training || bn.runningMean === null
    ? { kind: 'stats' as const, mean: new Float64Array(bn.numFeatures), variance: new Float64Array(bn.numFeatures) }
    : null;
  const h = first.forwardWith(input, first.weight, first.bias, stats);
  const momentum = bn.beginForward(h); // also BatchNorm's training-mode-under-noGrad warning
  drop?.warnIfTrainingUnderNoGrad(); // Dropout.forward is not called on this path
  return batchNorm1dReluDropout(h, bn.runningMean, bn.runningVar, bn.weight, bn.bias, {
    training: bn.training, momentum, eps: bn.eps, p: drop?.p ?? 0, dropoutTraining: drop?.training ?? false,
    trackNonFinite: bn.trackNonFinite, onUntracked: bn.untrackBatch,
    reuseInput: true, // h is the first layer's fresh output, held by nobody else
    batchStatistics: stats ?? undefined,
  });
}

/**
 * Eval with running statistics, Dropout the identity and no graph to record: BatchNorm folds into
 * the convolution or Linear (src/functional/bn-fold.ts). With a graph (eval-mode gradients) the
 * unfolded path runs, so gradients flow to the BatchNorm parameters exactly as the modules define them.
 */
function foldable(first: Conv1d | Linear, bn: BatchNorm1d, drop: Dropout | null, input: Tensor): boolean {
  if (bn.training || bn.runningMean === null) return false;
  if (drop && drop.training && drop.p > 0) return false;
  return !(isGradEnabled() && [input, first.weight, first.bias, bn.weight, bn.bias].some((t) => t?.requiresGrad));
}

/**
 * The eval block in one GEMM or convolution: x·W'ᵀ + b' or conv(x; W', b'), with the ReLU applied as
 * the convolution writes each block of rows, or in place over the Linear's output.
 */
function runFolded(first: Conv1d | Linear, bn: BatchNorm1d, input: Tensor): Tensor {
  const folded = foldBatchNorm(first.weight, first.bias, bn.runningMean!, bn.runningVar!, bn.weight, bn.bias, bn.eps);
  const h = first instanceof Conv1d
    ? first.forwardWith(input, folded.weight, folded.bias, { kind: 'relu' })
    : reluInPlace(first.forwardWith(input, folded.weight, folded.bias));
  // No graph holds W' (foldable: nothing requires a gradient), so the next forward reuses its array.
  recycleFloat32(folded.weight.data);
  bn.beginForward(h); // the module's shape check (in eval it changes nothing)
  return h;
}

function unfused(children: Module[], i: number, count: number, input: Tensor): Tensor {
  let x = input;
  for (let j = i; j < i + count; j++) x = children[j]!.forward(x);
  return x;
}

/**
 * How many Sequential.forward calls are on the stack (forward is synchronous): only the outermost
 * keeps copies of the BatchNorm buffers. A Sequential that is not a descendant of the outer one but
 * runs inside its forward (a custom layer calling another model) is not covered.
 */
let depth = 0;

/** The buffers a training forward of m changes: those of its BatchNorm layers in training mode. */
function trainingBatchNormBuffers(m: Module): StateData[] {
  return m.modules().flatMap((c) => (c instanceof BatchNorm1d && c.training ? c.buffers(false).map((b) => b.data) : []));
}

function checkModule(where: string, m: unknown): void {
  if (!(m instanceof Module)) throw new OptionError(`Sequential: ${where} is not a Module, got ${show(m)}`);
}

/** torch.nn.Sequential: children named "0", "1", … (PyTorch's state-dict keys); forward feeds each child's output to the next. Conv1d → BatchNorm1d → ReLU [→ Dropout] runs fused (see setFusion). */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => checkModule(`argument ${i}`, m));
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** Adds a module at the end (named by its index); returns this. */
  append(module: Module): this {
    checkModule('append', module);
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Number of children. */
  get length(): number {
    return this.children().length;
  }

  /** The child at index i (negative counts from the end). */
  at(i: number): Module {
    const n = this.length, j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      const range = n === 0 ? 'it holds no modules' : `expected an integer in [${-n}, ${n - 1}] for ${n} module${n === 1 ? '' : 's'}`;
      throw new OptionError(`Sequential.at: index ${show(i)} is out of range (${range})`);
    }
    return this.children()[j]!;
  }

  /** Iterates the layers in order, so `for (const layer of seq)` works as in PyTorch. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  /**
   * Each child's output into the next. A forward that throws part-way (a head that does not fit the
   * window the backbone produced) leaves the model as it was: in training, the BatchNorm layers it
   * already ran have updated their running statistics and num_batches_tracked, so the outermost
   * Sequential keeps copies of those buffers (a few vectors) and puts them back.
   */
  forward(input: Tensor): Tensor {
    checkInput(this.describe(), input);
    if (depth > 0) return this.run(input); // an enclosing Sequential already holds the copies
    const saved = trainingBatchNormBuffers(this).map((data) => [data, data.slice()] as const);
    depth++;
    try {
      return this.run(input);
    } catch (e) {
      for (const [data, copy] of saved) data.set(copy as never);
      throw e;
    } finally {
      depth--;
    }
  }

  private run(input: Tensor): Tensor {
    const children = this.children();
    let x = input;
    // x is a temporary when a built-in layer (or fused block) made it: listed once a built-in layer
    // has consumed it too, for recycling when nothing can read it (./temporaries.ts). A layer that
    // passes its input's array on (Dropout(0), a reshape) gives its output that input's standing.
    let temporary = false;
    const temporaries: Tensor[] = [];
    for (let i = 0; i < children.length; ) {
      const size = fusion ? blockAt(children, i) : 0;
      const builtIn = size > 0 || keepsNothing(children[i]!);
      const next = size > 0 ? runBlock(children, i, size, x) : children[i]!.forward(x);
      if (temporary && builtIn) temporaries.push(x);
      temporary = builtIn && (next.data.buffer !== x.data.buffer || temporary);
      x = next;
      i += size || 1;
    }
    recycleTemporaries(temporaries, input, x);
    return x;
  }

  toJSON(): ModuleJSON {
    return { type: 'Sequential', children: this.children().map((c) => c.toJSON()) };
  }
}

declareContainer(Sequential);
