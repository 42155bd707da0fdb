/**
 * The backward engine. From the output, visit the graph in reverse topological order (so each
 * tensor's gradient is complete before its op runs backward), sum the gradients flowing into each
 * tensor, hand leaves their total (accumulating into `.grad` as PyTorch does), and release every
 * op's saved values unless the graph is retained.
 */
import { recycleFloat32 } from './storage.js';
import type { Tensor } from './tensor.js';
import { ShapeError } from '../errors.js';

/** Tensors reachable from root through gradFn links, each after every tensor computed from it. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Iterative post-order DFS: deep graphs must not overflow the JS stack.
  const stack: Array<{ t: Tensor; next: number }> = [{ t: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.t.gradFn?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (child && child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order.reverse();
}

/**
 * Gradient arrays and who may write them. The user's gradient (the root's) is read only. Every other
 * array comes from an op's backward, which returns, per input, either a fresh array or the very
 * gradient it was given (BackwardFn's contract). So an array other than the op's own incoming
 * gradient is fresh, and the engine owns it: it may add into it, hand it to a leaf as its .grad
 * without a copy, or recycle it once the op that consumes it has run.
 */
export function runBackward(root: Tensor, grad: Float32Array, retainGraph: boolean): void {
  const grads = new Map<Tensor, Float32Array>([[root, grad]]);
  const owned = new Set<Float32Array>();
  for (const t of topologicalOrder(root)) {
    const g = grads.get(t);
    grads.delete(t);
    if (!g) continue;
    const node = t.gradFn;
    if (!node) {
      const mine = owned.delete(g);
      if (!t.accumulateGrad(g, mine) && mine) recycleFloat32(g);
      continue;
    }
    const inputGrads = node.apply(g);
    if (!retainGraph) node.release();
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!input || !input.requiresGrad || !gi) return;
      if (gi.length !== input.numel) {
        throw new ShapeError(`${node.name} backward: gradient for input ${i} has ${gi.length} elements, expected ${input.numel}`);
      }
      // g passed through keeps its owner; one array handed to two inputs is shared: nobody owns it.
      if (inputGrads.indexOf(gi) !== inputGrads.lastIndexOf(gi)) owned.delete(gi);
      else if (gi !== g) owned.add(gi);
      const prev = grads.get(input);
      if (!prev) {
        grads.set(input, gi);
      } else if (owned.has(prev)) {
        for (let k = 0; k < prev.length; k++) prev[k]! += gi[k]!;
        if (owned.delete(gi)) recycleFloat32(gi);
      } else if (owned.has(gi)) {
        for (let k = 0; k < gi.length; k++) gi[k]! += prev[k]!;
        grads.set(input, gi);
      } else {
        const sum = new Float32Array(prev.length);
        for (let k = 0; k < sum.length; k++) sum[k] = prev[k]! + gi[k]!;
        owned.add(sum);
        grads.set(input, sum);
      }
    });
    // g has been consumed; unless it was passed on to an input, no one can reach it any more.
    if (owned.has(g) && !inputGrads.includes(g)) {
      owned.delete(g);
      recycleFloat32(g);
    }
  }
}
