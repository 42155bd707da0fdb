/**
 * Loading PyTorch weights into keel: a Conv1d backbone trained in PyTorch, saved as safetensors,
 * rebuilt in keel with the same architecture, loaded with strict key checking, and run on the same
 * input in eval mode; it prints the largest difference from PyTorch's own output.
 *
 * The PyTorch side (`pip install safetensors`; keel does not read torch.save's pickles, so re-save a
 * .pt checkpoint this way too):
 *
 *     from safetensors.torch import save_file
 *     save_file(model.state_dict(), "pytorch-backbone.safetensors")
 *
 * keel's module tree gives the same state-dict keys as the same torch.nn.Sequential ("0.weight",
 * "1.running_mean", "1.num_batches_tracked", ...), so the file loads as it is. The committed files in
 * examples/data/ were written by examples/data/make_pytorch_weights.py (PyTorch 1.13; it carries a
 * small save_file for Pythons without the safetensors package) together with PyTorch's eval output.
 *
 *     npx tsx examples/load-pytorch-weights.ts
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load, nn, noGrad, Tensor } from 'keel';

/** The weights file, and the input with PyTorch's eval output on it. */
export const WEIGHTS = fileURLToPath(new URL('./data/pytorch-backbone.safetensors', import.meta.url));
export const REFERENCE = fileURLToPath(new URL('./data/pytorch-backbone-io.safetensors', import.meta.url));

/** The architecture make_pytorch_weights.py built in PyTorch, as keel's nn.conv1dBackbone options. */
export const ARCHITECTURE: nn.Conv1dBackboneOptions = { inChannels: 4, window: 16, widths: [8, 8], kernelSize: 3, headHidden: 16, outputs: 1 };

export interface PytorchWeightsResult {
  /** The keel model holding PyTorch's weights, in eval mode. */
  model: nn.Sequential;
  /** Number of state-dict entries loaded. */
  keys: number;
  /** keel's eval output on PyTorch's input. */
  output: Tensor;
  /** max |keel − PyTorch| over the outputs. */
  maxAbsDiff: number;
}

export async function loadPytorchWeights(): Promise<PytorchWeightsResult> {
  const model = nn.conv1dBackbone(ARCHITECTURE);
  const state = await load(WEIGHTS);
  // strict (the default): a missing, unexpected or mis-shaped key throws and leaves the model untouched.
  model.loadStateDict(state, { strict: true });
  model.eval(); // BatchNorm uses the running statistics PyTorch saved; Dropout is the identity

  const reference = await load(REFERENCE);
  const input = reference.input as Tensor, expected = reference.output as Tensor; // F32 entries load as Tensors
  const output = noGrad(() => model.forward(input));
  let maxAbsDiff = 0;
  for (let i = 0; i < output.data.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(output.data[i]! - expected.data[i]!));
  return { model, keys: Object.keys(state).length, output, maxAbsDiff };
}

async function main(): Promise<void> {
  const r = await loadPytorchWeights();
  console.log(`loaded ${r.keys} tensors from ${WEIGHTS} into\n${r.model}`);
  console.log(`eval output on PyTorch's input, shape [${r.output.shape.join(', ')}]: ${[...r.output.data].map((v) => v.toFixed(4)).join(' ')}`);
  console.log(`max |keel − PyTorch| = ${r.maxAbsDiff.toExponential(2)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
