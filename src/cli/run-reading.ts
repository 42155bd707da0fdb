/**
 * What one `keel train` run shows, in sentences computed from its results: the best validation score
 * beside a baseline that ignores the inputs (scikit-learn's DummyRegressor / DummyClassifier), so a
 * reader can tell a model that learned from one that did not; whether validation loss turned upward
 * for good while training loss fell (the onset of overfitting); and which weights the run saved and
 * what that suggests (a best epoch at the very end: more epochs may help). `keel train` prints the
 * lines under its table and the report shows them ("What this run shows"), as `keel demo` does for
 * the study (src/study/reading.ts).
 */
import type { Tensor } from '../tensor/tensor.js';
import type { StopReason } from '../train/history.js';

/** One run's figures, as keel train computes them. */
export interface RunFacts {
  /** RMSE (lower is better) or accuracy (higher is better). */
  metric: 'rmse' | 'accuracy';
  /** The RMSE's unit: cycles of RUL (the default), or none for a table's target, in its own units. */
  unit?: 'cycles' | 'target';
  /** The validation score at the best epoch (the lowest validation loss). */
  best: number;
  bestEpoch: number;
  /** Epochs run. */
  epochs: number;
  divergenceEpoch: number | null;
  /** How the run ended (RunEnd.stopped: 'nonFinite' when it blew up). */
  stopped: StopReason | null;
  /** With stopped 'nonFinite': which loss was not finite (RunEnd.nonFinite). Default 'training'. */
  nonFinite?: 'training' | 'validation' | null;
  /** Whether early stopping was on (it restores the best epoch's weights). */
  earlyStopping: boolean;
  /** A baseline that ignores the inputs and its score ("a constant prediction (…)", 41.5), on the validation data or as `text` says. */
  baseline: { score: number; text: string };
}

/**
 * A DummyRegressor: the mean of the fitting targets `y`, predicted for every validation target, and
 * its RMSE; both times `scale` (targets stored as RUL/125 give cycles with 125). Sums in double.
 */
export function constantPrediction(y: Tensor, valY: Tensor, scale: number): { mean: number; valRmse: number } {
  let mean = 0;
  for (const v of y.data) mean += v;
  mean /= y.numel;
  let squares = 0;
  for (const v of valY.data) squares += (v - mean) ** 2;
  return { mean: mean * scale, valRmse: scale * Math.sqrt(squares / valY.numel) };
}

/** A DummyClassifier: the most frequent of the class indices `labels`, its name, and its share of them (its accuracy). */
export function mostFrequentClass(labels: Tensor, names: readonly string[]): { label: string; share: number } {
  const counts = new Array<number>(names.length).fill(0);
  for (const c of labels.data) counts[c]!++;
  const top = counts.indexOf(Math.max(...counts));
  return { label: names[top]!, share: counts[top]! / labels.numel };
}

function score(f: RunFacts, v: number): string {
  if (f.metric === 'accuracy') return v.toFixed(4);
  return f.unit === 'target' ? String(Number(v.toPrecision(4))) : `${v.toFixed(2)} cycles`;
}

/** The run's reading, one sentence per line. */
export function runReading(f: RunFacts): string[] {
  const name = f.metric === 'rmse' ? 'validation RMSE' : 'validation accuracy';
  const beats = f.metric === 'rmse' ? f.best < f.baseline.score : f.best > f.baseline.score;
  const blewUp = f.stopped === 'nonFinite';
  const lines = [
    `At the best epoch (${f.bestEpoch}, the lowest validation loss) the ${name} is ${score(f, f.best)}: ` +
      `${beats ? 'better than' : 'no better than'} ${f.baseline.text}, which scores ${score(f, f.baseline.score)}` +
      (beats ? '.' : ': the model has learned nothing that carries over to the validation data.'),
    f.divergenceEpoch === null
      // A run that blew up ended before an onset could show: "no divergence epoch" would read as a healthy run.
      ? blewUp
        ? `Training blew up before validation loss turned upward for good, so these ${f.epochs} epochs show no onset of overfitting.`
        : `Validation loss did not turn upward for good while training loss fell: no divergence epoch in ${f.epochs} epochs.`
      // The onset is read from the curves averaged over 3 epochs, so it can fall an epoch either side of the best epoch's raw minimum.
      : f.divergenceEpoch === f.bestEpoch
        ? `Validation loss turned upward for good after epoch ${f.divergenceEpoch} while training loss kept falling: the onset of overfitting.`
        : `Validation loss, averaged over 3 epochs, turned upward for good after epoch ${f.divergenceEpoch} while training loss kept falling: the onset of overfitting.`,
  ];
  const best = `epoch ${f.bestEpoch}'s`;
  if (blewUp) {
    lines.push(f.nonFinite === 'validation'
      ? `The validation loss was not finite after epoch ${f.epochs}: training blew up (too high a learning rate is the usual cause), and early stopping ended the run there and restored ${best} weights, the ones saved.`
      : `The training loss was not finite in epoch ${f.epochs + 1}: training blew up (too high a learning rate is the usual cause) and ended there; the saved weights are those of the last finite step, not ${best}.`);
  } else if (f.stopped === 'aborted') {
    lines.push(`The run was interrupted in epoch ${f.epochs + 1}; the saved weights are ${f.earlyStopping ? `${best}, the best` : 'those at the interrupt'}.`);
  } else if (f.stopped === 'earlyStopping') {
    lines.push(`Early stopping ended the run after epoch ${f.epochs} and restored ${best} weights, the ones saved.`);
  } else if (f.bestEpoch === f.epochs) {
    lines.push('The last epoch was the best: more epochs (--epochs) may still help.');
  } else if (f.earlyStopping) {
    lines.push(`Early stopping restored ${best} weights, the best, at the end; they are the ones saved.`);
  } else {
    lines.push(`The saved weights are the last epoch's; ${best} were better on validation (--early-stopping N keeps the best).`);
  }
  return lines;
}
