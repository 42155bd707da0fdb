/**
 * keel eval's and keel predict's warning on stderr when the data lies far from the model's training
 * data (src/model-folder/far-inputs.ts says what that means and why it matters). The numbers are
 * still printed: the warning goes to stderr, once, naming the channels.
 */
import { farChannels, farInputsText } from '../model-folder/far-inputs.js';
import type { WindowDataset } from '../data/window-dataset.js';
import type { Tensor } from '../tensor/tensor.js';

/** Writes the warning for `x`, the model's inputs scaled with its training statistics, whose channels are `names`. */
export function warnFarInputs(err: { write(s: string): unknown }, command: string, x: Tensor | WindowDataset, names: readonly string[]): void {
  const text = farInputsText(farChannels(x, names));
  if (text) err.write(`keel ${command}: warning: ${text}\n`);
}
