/**
 * The non-finite guard of BatchNorm's running statistics (issue 12): a training batch holding a NaN
 * or an infinity must not poison running_mean/running_var for every later eval, unless the caller
 * opts in (`trackNonFinite: true`, PyTorch's behaviour). The kernels stay as they are: the running
 * values (2·C floats: cheap) are copied before the kernel updates them in place, and put back if any
 * of them came out non-finite. The batch's output is not touched — it still carries the NaN/Inf, so
 * nothing non-finite turns into a finite-looking result. A finite batch changes nothing here: the
 * kernel's values stay as written, bit for bit.
 */
import { allFinite } from '../tensor/finite.js';

/** A copy of the running mean and variance (C values each), taken before the kernel updates them. */
export function saveRunningStats(runningMean: Float32Array, runningVar: Float32Array): Float32Array {
  const saved = new Float32Array(runningMean.length + runningVar.length);
  saved.set(runningMean);
  saved.set(runningVar, runningMean.length);
  return saved;
}

/**
 * Puts the saved values back if any running value is NaN or ±Infinity after the update; true if it
 * did (the batch was not tracked).
 */
export function restoreIfNonFinite(runningMean: Float32Array, runningVar: Float32Array, saved: Float32Array): boolean {
  if (allFinite(runningMean) && allFinite(runningVar)) return false;
  runningMean.set(saved.subarray(0, runningMean.length));
  runningVar.set(saved.subarray(runningMean.length));
  return true;
}
