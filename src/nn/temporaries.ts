/**
 * Sequential's intermediate outputs back to the storage pool. Between two built-in layers, a
 * Sequential's intermediate output is a temporary: the model hands it to the next layer and nobody
 * else ever sees it. Once nothing can read it any more, its array goes back to the pool
 * (src/tensor/storage.ts), so the next step's forward reuses it instead of taking fresh pages from
 * the OS and leaving the old ones to the garbage collector (in the §1 backbone, three 2 MB block
 * outputs per training step). When that is:
 *  - a graph was recorded: when backward frees the node that made it; backward frees a node only
 *    after every op that consumed its output, so no saved value is lost (GradNode.alsoOnRelease);
 *  - nothing was recorded: at the end of the forward.
 * Only arrays made by the layers listed here (their forward keeps no reference to input or output
 * beyond the graph, and returns a fresh array or a view of its input), or by containers of them, are
 * recycled, never one that shares its buffer with the model's input or output.
 */
import { recycleFloat32 } from '../tensor/storage.js';
import type { Tensor } from '../tensor/tensor.js';
import { AdaptiveAvgPool1d } from './adaptive-avgpool1d.js';
import { AvgPool1d } from './avgpool1d.js';
import { BatchNorm1d } from './batchnorm1d.js';
import { Conv1d } from './conv1d.js';
import { Dropout } from './dropout.js';
import { Dropout1d } from './dropout1d.js';
import { Flatten } from './flatten.js';
import { GELU } from './gelu.js';
import { LayerNorm } from './layernorm.js';
import { LeakyReLU } from './leaky-relu.js';
import { Linear } from './linear.js';
import { MaxPool1d } from './maxpool1d.js';
import type { Module } from './module.js';
import { ReLU } from './relu.js';

/** Exact classes only: a subclass may override forward and keep its input. */
const KEEP_NOTHING: ReadonlySet<unknown> = new Set([
  AdaptiveAvgPool1d, AvgPool1d, BatchNorm1d, Conv1d, Dropout, Dropout1d, Flatten, GELU, LayerNorm, LeakyReLU, Linear, MaxPool1d, ReLU,
]);

/** Containers (Sequential) that keep nothing when their children keep nothing. */
const CONTAINERS = new Set<unknown>();

/** Declares a container class (exact class) that keeps nothing when its children keep nothing. */
export function declareContainer(cls: abstract new (...args: never[]) => Module): void {
  CONTAINERS.add(cls);
}

/**
 * Whether m's forward keeps no reference to its input or output outside the graph: a layer listed
 * above, or a container of such layers. fit, evaluate and predict recycle their batches only for
 * such a model (src/train/batches.ts).
 */
export function keepsNothing(m: Module): boolean {
  return KEEP_NOTHING.has(m.constructor) || (CONTAINERS.has(m.constructor) && m.children().every(keepsNothing));
}

/**
 * Recycles the temporaries of one forward from `input` to `output` (in forward order), each when
 * nothing can read it any more (file header). Several may share one array: a layer that returns its
 * input (Dropout(0)), or a reshape (Flatten), whose output is a new tensor over the same array with
 * a node of its own. The array then belongs to the first of them, whose node backward frees after
 * the others': recycled when a later one's node is freed, it could be handed out while the first
 * one's op still reads it.
 */
export function recycleTemporaries(temporaries: readonly Tensor[], input: Tensor, output: Tensor): void {
  const recorded = output.requiresGrad;
  const seen = new Set<ArrayBufferLike>([input.data.buffer, output.data.buffer]);
  for (const t of temporaries) {
    const buffer = t.data.buffer;
    if (seen.has(buffer)) continue;
    seen.add(buffer);
    const data = t.data;
    if (t.gradFn) t.gradFn.alsoOnRelease(() => recycleFloat32(data));
    // No node saved t when no graph reaches the output: every op's output requires grad once one of
    // its inputs does, so a node anywhere in the chain would make the output require grad.
    else if (!recorded) recycleFloat32(data);
  }
}
