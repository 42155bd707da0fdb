/** Whether ops record the graph for backward (PyTorch's grad mode). */

let enabled = true;

/** Whether ops record the autograd graph now (false inside noGrad; torch.is_grad_enabled). */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn without recording the graph (PyTorch's torch.no_grad()); restores the mode even if fn throws. */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs fn with grad mode explicitly on or off. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
