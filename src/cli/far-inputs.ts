/**
 * A warning for keel eval and keel predict when the data, scaled with the model's training
 * statistics, lies far from what the model was trained on: a channel whose mean |z| is above
 * FAR standard deviations is most often another sensor, another unit (kelvin for celsius) or another
 * machine under the same name, and the model then extrapolates — predicting RUL in the thousands of
 * cycles from a model that never saw more than 125. The numbers are still printed: the warning goes
 * to stderr, once, naming the channels.
 */
import type { Tensor } from '../tensor/tensor.js';

/** Mean |z| above which a channel is reported: 99.99% of a normal's values are within 4. */
const FAR = 10;

/**
 * Writes the warning for `x`, the model's inputs scaled with its training statistics — (N, C, L)
 * windows or (N, C) rows — whose C channels are `names`, when some channel's mean |z| is above FAR.
 */
export function warnFarInputs(err: { write(s: string): unknown }, command: string, x: Tensor, names: readonly string[]): void {
  const [n, c] = x.shape as [number, number];
  const per = n === 0 ? 0 : x.numel / (n * c); // values per channel in a sample (L, or 1)
  const sums = new Float64Array(c);
  for (let i = 0; i < x.numel; i++) sums[Math.floor(i / per) % c]! += Math.abs(x.data[i]!);
  const far = names.map((name, k) => ({ name, z: sums[k]! / (n * per) })).filter((ch) => ch.z > FAR);
  if (far.length === 0) return;
  const list = far.map((ch) => `${ch.name} (${ch.z.toPrecision(3)})`).join(', ');
  err.write(
    `keel ${command}: warning: the data is far from the model's training data: mean |z| ${list}, in standard deviations of the training data; ` +
      'are these the same sensors, in the same units? Predictions this far out are extrapolation\n',
  );
}
