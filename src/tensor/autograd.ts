/**
 * The backward engine. From the output, visit the graph in reverse topological order (so each
 * tensor's gradient is complete before its op runs backward), sum the gradients flowing into each
 * tensor, hand leaves their total (accumulating into `.grad` as PyTorch does), and release every
 * op's saved values unless the graph is retained.
 */
import type { Tensor } from './tensor.js';

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

export function runBackward(root: Tensor, grad: Float32Array, retainGraph: boolean): void {
  const grads = new Map<Tensor, Float32Array>([[root, grad]]);
  // Arrays the engine allocated itself and may add into; others may be shared with an op.
  const owned = new Set<Float32Array>();
  for (const t of topologicalOrder(root)) {
    const g = grads.get(t);
    grads.delete(t);
    if (!g) continue;
    const node = t.gradFn;
    if (!node) {
      t.accumulateGrad(g);
      continue;
    }
    const inputGrads = node.apply(g);
    if (!retainGraph) node.release();
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!input || !input.requiresGrad || !gi) return;
      if (gi.length !== input.numel) {
        throw new Error(`${node.name} backward: gradient for input ${i} has ${gi.length} elements, expected ${input.numel}`);
      }
      const prev = grads.get(input);
      if (!prev) {
        grads.set(input, gi);
      } else if (owned.has(prev)) {
        for (let k = 0; k < prev.length; k++) prev[k]! += gi[k]!;
      } else {
        const sum = new Float32Array(prev.length);
        for (let k = 0; k < sum.length; k++) sum[k] = prev[k]! + gi[k]!;
        owned.add(sum);
        grads.set(input, sum);
      }
    });
  }
}
