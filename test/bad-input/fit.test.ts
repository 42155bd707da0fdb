/**
 * Bad-input battery (issue 12) for fit / evaluate / predict: mismatched or empty data, non-tensors,
 * NaN/Inf in data, hyperparameters out of range, option typos, callbacks and schedules that are not
 * what they claim, an aborted signal. A rejected fit leaves the model AND the optimiser bitwise as
 * they were (and the model in its mode); a rejected evaluate/predict leaves the model and its mode.
 * Two cases run fit in a worker, to check the typed class survives the thread boundary.
 */
import { AbortError, DataError, evaluate, fit, manualSeed, nn, NonFiniteError, optim, OptionError, predict, ShapeError, Tensor, TensorDataset } from '../../src/index.js';
import { battery, type Case, type ErrorClass, modelState, optimizerState, states } from './battery.js';

const bad = (v: unknown) => v as never;
const t = (rows: number, cols: number, f = (i: number) => Math.sin(i)) => new Tensor(Float32Array.from({ length: rows * cols }, (_, i) => f(i)), [rows, cols]);

/** Linear(4→8, no bias) → BatchNorm1d(8) → ReLU → Linear(8→1), seeded, with SGD(momentum) already one step in. */
function setup() {
  manualSeed(2);
  const model = new nn.Sequential(new nn.Linear(4, 8, { bias: false }), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 1));
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  return { model, opt, state: states(modelState(model), optimizerState(opt)) };
}

/** fit(model, {x (20, 4), y (20, 1), 1 epoch, batches of 5, the optimiser, quiet, in this thread} + over). */
function fitting(over: Record<string, unknown>, error: ErrorClass, message: RegExp): Case {
  const { model, opt, state } = setup();
  const options = { x: t(20, 4), y: t(20, 1), epochs: 1, batchSize: 5, optimizer: opt, verbose: false, worker: false, ...over };
  return { name: '', call: () => fit(model, bad(options)), state, error, message };
}

const fitCases: Array<[string, Record<string, unknown>, ErrorClass, RegExp]> = [
  ['x and y of different lengths (20, 19)', { y: t(19, 1) }, ShapeError, /x|y/],
  ['x with the wrong number of features for the model', { x: t(20, 5) }, ShapeError, /Linear|features/],
  ['empty x and y', { x: t(0, 4), y: t(0, 1) }, DataError, /has no samples/],
  ['batchSize 1 with BatchNorm in training', { batchSize: 1 }, ShapeError, /BatchNorm1d|batch/],
  ['x a nested array', { x: [[1, 2, 3, 4]] }, OptionError, /x/],
  ['x a Float32Array', { x: new Float32Array(80) }, OptionError, /x/],
  ['y missing', { y: undefined }, OptionError, /y/],
  ['both x and data', { data: new TensorDataset(t(20, 4), t(20, 1)) }, OptionError, /data|x/],
  ['epochs 0', { epochs: 0 }, OptionError, /epochs/],
  ['epochs 1.5', { epochs: 1.5 }, OptionError, /epochs/],
  ['epochs NaN', { epochs: NaN }, OptionError, /epochs/],
  ['epochs "2"', { epochs: '2' }, OptionError, /epochs/],
  ['batchSize 0', { batchSize: 0 }, OptionError, /batchSize/],
  ['batchSize Infinity', { batchSize: Infinity }, OptionError, /batchSize/],
  ['validationSplit 1.5', { validationSplit: 1.5 }, OptionError, /validationSplit/],
  ['validationSplit NaN', { validationSplit: NaN }, OptionError, /validationSplit/],
  ['validationSplit and validationData together', { validationSplit: 0.2, validationData: { x: t(4, 4), y: t(4, 1) } }, OptionError, /validation/],
  ['validationData of mismatched lengths', { validationData: { x: t(4, 4), y: t(3, 1) } }, ShapeError, /validation/],
  ['option typo epoch', { epoch: 3 }, OptionError, /epoch/],
  ['option typo batch_size', { batch_size: 4 }, OptionError, /batch_size/],
  ['loss "mse2"', { loss: 'mse2' }, OptionError, /loss/],
  ['metrics ["acc"] (unknown)', { metrics: ['acc'] }, OptionError, /acc/],
  ['optimizer a string', { optimizer: 'adam' }, OptionError, /optimizer/],
  ['optimizer factory building lr NaN', { optimizer: (p: Tensor[]) => new optim.SGD(p, { lr: NaN }) }, OptionError, /lr/],
  ['scheduler a number', { scheduler: 3 }, OptionError, /scheduler/],
  ['schedulerInterval "step"', { schedulerInterval: 'step' }, OptionError, /schedulerInterval/],
  ['l1 -1', { l1: -1 }, OptionError, /l1/],
  ['l2 NaN', { l2: NaN }, OptionError, /l2/],
  ['clipGradNorm 0', { clipGradNorm: 0 }, OptionError, /clipGradNorm/],
  ['clipGradValue Infinity', { clipGradValue: Infinity }, OptionError, /clipGradValue/],
  ['earlyStopping patience -1', { earlyStopping: { patience: -1 } }, OptionError, /patience/],
  ['earlyStopping a typo pateince', { earlyStopping: { pateince: 3 } }, OptionError, /pateince/],
  ['callbacks holding a function', { callbacks: [() => undefined] }, OptionError, /callbacks/],
  ['callbacks not an array', { callbacks: {} }, OptionError, /callbacks/],
  // Weights of 1, so that the shape is the only thing wrong.
  ['sampleWeight of the wrong length', { sampleWeight: t(19, 1, () => 1).reshape(19) }, ShapeError, /sampleWeight/],
  ['sampleWeight of shape (20, 1), not 1-D', { sampleWeight: t(20, 1, () => 1) }, ShapeError, /sampleWeight/],
  ['sampleWeight with a negative weight', { sampleWeight: t(20, 1, (i) => (i === 0 ? -1 : 1)).reshape(20) }, DataError, /sampleWeight/],
  ['classWeight with regression targets (not class indices)', { classWeight: { 0: 1, 1: 2 } }, DataError, /class/],
  ['classWeight a string', { classWeight: 'balanced!' }, OptionError, /classWeight/],
  ['initialEpoch -1', { initialEpoch: -1 }, OptionError, /initialEpoch/],
  ['seed 1.5', { seed: 1.5 }, OptionError, /seed/],
  ['signal not an AbortSignal', { signal: { aborted: false } }, OptionError, /signal/],
  ['worker "yes"', { worker: 'yes' }, OptionError, /worker/],
  ['verbose "loud"', { verbose: 'loud' }, OptionError, /verbose/],
  ['augment a number', { augment: 3 }, OptionError, /augment/],
  // fit does not scan the data first: the first batch's loss is non-finite and fit stops before any step.
  // A Tensor x or y is checked whole before the first step; a Dataset's samples as their batch arrives.
  ['NaN in x', { x: t(20, 4, (i) => (i === 7 ? NaN : 1)) }, DataError, /^fit: x must be finite, got NaN at index 7 \(sample 1\); nothing was trained$/],
  ['Infinity in y', { y: t(20, 1, (i) => (i === 3 ? Infinity : 0)) }, DataError, /^fit: y must be finite, got Infinity at index 3 \(sample 3\)/],
  ['NaN in validationData.x', { validationData: { x: t(8, 4, (i) => (i === 30 ? NaN : 1)), y: t(8, 1) } }, DataError, /^fit: validationData\.x must be finite, got NaN at index 30 \(sample 7\)/],
  ['NaN in a Dataset\'s x (first batch)', { x: undefined, y: undefined, data: new TensorDataset(t(20, 4, (i) => (i === 7 ? NaN : 1)), t(20, 1)), shuffle: false }, NonFiniteError, /NaN/],
  ['Infinity in a Dataset\'s y (first batch)', { x: undefined, y: undefined, data: new TensorDataset(t(20, 4), t(20, 1, (i) => (i === 3 ? Infinity : 0))), shuffle: false }, NonFiniteError, /Infinity/],
  ['a data set yielding one tensor per sample', { x: undefined, y: undefined, data: { length: 4, get: () => [t(1, 4).reshape(4)] } }, DataError, /sample|data/],
  ['in a worker: x and y of different lengths', { y: t(19, 1), worker: true }, ShapeError, /x|y/],
  ['in a worker: epochs -1', { epochs: -1, worker: true }, OptionError, /epochs/],
];

/** evaluate/predict on a model in eval mode: afterwards the same weights and the same mode. */
function evaluating(call: (m: nn.Sequential) => unknown): Pick<Case, 'call' | 'state'> {
  const { model } = setup();
  model.eval();
  return { call: () => call(model), state: modelState(model) };
}
const evalCases: Case[] = [
  { name: 'evaluate: x and y of different lengths', ...evaluating((m) => evaluate(m, { x: t(10, 4), y: t(9, 1) })), error: ShapeError, message: /x|y/ },
  { name: 'evaluate: x with 5 features for a 4-feature model', ...evaluating((m) => evaluate(m, { x: t(10, 5), y: t(10, 1) })), error: ShapeError, message: /Linear/ },
  { name: 'evaluate: batchSize 0', ...evaluating((m) => evaluate(m, { x: t(10, 4), y: t(10, 1), batchSize: 0 })), error: OptionError, message: /batchSize/ },
  { name: 'evaluate: loss "hinge"', ...evaluating((m) => evaluate(m, { x: t(10, 4), y: t(10, 1), loss: bad('hinge') })), error: OptionError, message: /loss/ },
  { name: 'evaluate: option typo metric', ...evaluating((m) => evaluate(m, bad({ x: t(10, 4), y: t(10, 1), metric: ['mae'] }))), error: OptionError, message: /metric/ },
  { name: 'evaluate: no data', ...evaluating((m) => evaluate(m, bad({}))), error: OptionError, message: /x|data/ },
  { name: 'evaluate: a model that is not a Module', call: () => evaluate(bad({ forward: (x: Tensor) => x }), { x: t(10, 4), y: t(10, 1) }), error: OptionError, message: /model/ },
  { name: 'evaluate: an empty x', ...evaluating((m) => evaluate(m, { x: t(0, 4), y: t(0, 1) })), error: DataError, message: /has no samples/ },
  { name: 'predict: x with 3 features', ...evaluating((m) => predict(m, t(10, 3))), error: ShapeError, message: /Linear/ },
  { name: 'predict: x a nested array', ...evaluating((m) => predict(m, bad([[1, 2, 3, 4]]))), error: OptionError, message: /x/ },
  { name: 'predict: batchSize NaN', ...evaluating((m) => predict(m, t(10, 4), { batchSize: NaN })), error: OptionError, message: /batchSize/ },
  { name: 'predict: mcDropout samples 0', ...evaluating((m) => predict(m, t(10, 4), { mcDropout: { samples: 0 } })), error: OptionError, message: /samples/ },
  { name: 'predict: mcDropout option typo n', ...evaluating((m) => predict(m, t(10, 4), bad({ mcDropout: { n: 5 } }))), error: OptionError, message: /\bn\b/ },
  { name: 'predict: option typo batch', ...evaluating((m) => predict(m, t(10, 4), bad({ batch: 4 }))), error: OptionError, message: /batch/ },
  { name: 'predict: signal already aborted', ...evaluating((m) => predict(m, t(10, 4), { signal: AbortSignal.abort() })), error: AbortError, message: /abort/i },
  { name: 'predict: NaN in x (no silent repair, no NaN output)', ...evaluating((m) => predict(m, t(2, 4, (i) => (i < 4 ? NaN : 1)))), error: DataError, message: /predict: x must be finite, got NaN in sample 0/ },
  { name: 'predict: an empty x', ...evaluating((m) => predict(m, t(0, 4))), error: DataError, message: /has no samples/ },
];

/** fit's documented answer to an already-aborted signal: it resolves at once, history.stopped 'aborted', nothing trained. */
const abortedFit: Case = (() => {
  const { call, state } = fitting({ signal: AbortSignal.abort(new Error('stop')) }, OptionError, /./);
  return { name: 'documented: signal already aborted resolves with stopped "aborted" and trains nothing', call, state, result: (h) => { if ((h as { stopped: unknown }).stopped !== 'aborted') throw new Error(`stopped ${(h as { stopped: unknown }).stopped}`); } };
})();

battery('fit', [...fitCases.map(([name, over, error, message]) => ({ ...fitting(over, error, message), name })), abortedFit]);
battery('evaluate/predict', evalCases);
