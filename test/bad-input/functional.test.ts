/**
 * Bad-input battery (issue 12) for the functional ops `F`: conv1d, linear, batchNorm1d (whose
 * running statistics must be untouched by a refused call), dropout/dropout1d, activations, pooling,
 * the fused batchNorm1dReluDropout (likewise), layerNorm, softmax, joins, indexing, matmul, the
 * arithmetic ops and the losses — non-tensors, wrong ranks, mismatched channels, empty batches,
 * batch size one in training, NaN/Inf hyperparameters and option typos; NaN data in a forward is a
 * documented result (propagated).
 */
import { DataError, F, OptionError, ShapeError, Tensor, tensor } from '../../src/index.js';
import { battery, type Case, detach, tensorState } from './battery.js';

const bad = (v: unknown) => v as never;
const t = (...shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape);
const nanIn = (y: unknown) => {
  if (!(y instanceof Tensor) || !y.data.some(Number.isNaN)) throw new Error('expected NaN to propagate into the output');
};

/** A tensor whose Float32Array was transferred away after it was made (e.g. by postMessage). */
const withDetachedData = (x: Tensor) => (detach(x.data), x);

const x3 = t(2, 3, 8), w3 = t(4, 3, 3);
const conv1dCases: Case[] = [
  { name: 'input not a Tensor (nested array)', call: () => F.conv1d(bad([[[1]]]), w3), error: OptionError, message: /input/ },
  { name: 'weight not a Tensor (Float32Array)', call: () => F.conv1d(x3, bad(new Float32Array(36))), error: OptionError, message: /weight/ },
  { name: 'bias a number', call: () => F.conv1d(x3, w3, bad(1)), error: OptionError, message: /bias/ },
  { name: 'input of rank 4', call: () => F.conv1d(t(1, 2, 3, 8), w3), error: ShapeError, message: /input/ },
  { name: 'input of rank 1', call: () => F.conv1d(t(8), w3), error: ShapeError, message: /input/ },
  { name: 'weight of rank 2', call: () => F.conv1d(x3, t(4, 9)), error: ShapeError, message: /weight/ },
  { name: 'mismatched channels (input 2, weight 3)', call: () => F.conv1d(t(2, 2, 8), w3), error: ShapeError, message: /channels/ },
  { name: 'mismatched channels with groups 2 (input 4, weight 3 per group: 6 needed)', call: () => F.conv1d(t(2, 4, 8), w3, null, { groups: 2 }), error: ShapeError, message: /channels/ },
  { name: 'out channels not divisible by groups (weight 3 out, groups 2)', call: () => F.conv1d(t(2, 4, 8), t(3, 2, 3), null, { groups: 2 }), error: ShapeError, message: /groups|weight/ },
  { name: 'bias of the wrong length', call: () => F.conv1d(x3, w3, t(5)), error: ShapeError, message: /bias/ },
  { name: 'kernel longer than the padded input', call: () => F.conv1d(t(2, 3, 2), w3), error: ShapeError, message: /conv1d/ },
  { name: 'stride 0', call: () => F.conv1d(x3, w3, null, { stride: 0 }), error: OptionError, message: /stride/ },
  { name: 'stride NaN', call: () => F.conv1d(x3, w3, null, { stride: NaN }), error: OptionError, message: /stride/ },
  { name: 'fractional dilation', call: () => F.conv1d(x3, w3, null, { dilation: 1.5 }), error: OptionError, message: /dilation/ },
  { name: 'negative padding', call: () => F.conv1d(x3, w3, null, { padding: -1 }), error: OptionError, message: /padding/ },
  { name: 'padding "full" (not a mode)', call: () => F.conv1d(x3, w3, null, { padding: bad('full') }), error: OptionError, message: /padding/ },
  { name: 'padding past 2^31', call: () => F.conv1d(x3, w3, null, { padding: 2 ** 31 }), error: OptionError, message: /padding/ },
  { name: 'groups 0', call: () => F.conv1d(x3, w3, null, { groups: 0 }), error: OptionError, message: /groups/ },
  { name: 'option typo strides', call: () => F.conv1d(x3, w3, null, bad({ strides: 2 })), error: OptionError, message: /strides/ },
  { name: 'an input whose buffer was detached after creation', call: () => F.conv1d(withDetachedData(t(2, 3, 8)), w3), error: ShapeError, message: /detached|length|elements/ },
  { name: 'empty batch (N = 0)', call: () => F.conv1d(t(0, 3, 8), w3), result: (y) => { if ((y as Tensor).shape.join() !== '0,4,8' && (y as Tensor).shape.join() !== '0,4,6') throw new Error(`shape ${(y as Tensor).shape}`); } },
  { name: 'documented: NaN in the input propagates', call: () => F.conv1d(tensor([NaN, 1, 1, 1, 1, 1], [1, 1, 6]), t(1, 1, 3)), result: nanIn },
];

const linearCases: Case[] = [
  { name: 'input not a Tensor', call: () => F.linear(bad([1, 2]), t(3, 2)), error: OptionError, message: /input/ },
  { name: 'weight of rank 1', call: () => F.linear(t(4, 2), t(2)), error: ShapeError, message: /weight/ },
  { name: 'in-features mismatch (input 3, weight 2)', call: () => F.linear(t(4, 3), t(5, 2)), error: ShapeError, message: /linear/ },
  { name: 'bias of the wrong length', call: () => F.linear(t(4, 2), t(5, 2), t(4)), error: ShapeError, message: /bias/ },
  { name: 'bias a plain array', call: () => F.linear(t(4, 2), t(5, 2), bad([0, 0, 0, 0, 0])), error: OptionError, message: /bias/ },
  { name: 'scalar input', call: () => F.linear(t(), t(5, 2)), error: ShapeError, message: /input/ },
  { name: 'documented: Infinity in the input gives non-finite output', call: () => F.linear(tensor([Infinity, 0], [1, 2]), t(1, 2)), result: (y) => { if (Number.isFinite((y as Tensor).data[0])) throw new Error('finite output'); } },
];

const rm = t(3), rv = t(3);
const bnState = tensorState(rm, rv);
const bn = (x: Tensor, o: object) => () => F.batchNorm1d(x, rm, rv, null, null, o as never);
const batchNormCases: Case[] = [
  { name: 'batch size one in training (N=1, (N, C))', call: bn(t(1, 3), { training: true }), error: ShapeError, message: /per channel/, state: bnState },
  { name: 'batch size one, length one in training (1, C, 1)', call: bn(t(1, 3, 1), { training: true }), error: ShapeError, message: /per channel/, state: bnState },
  { name: 'empty batch in training', call: bn(t(0, 3), { training: true }), error: ShapeError, message: /batchNorm1d/, state: bnState },
  { name: 'mismatched channels (input 4, running stats 3)', call: bn(t(2, 4), { training: true }), error: ShapeError, message: /runningMean/, state: bnState },
  { name: 'input of rank 1', call: bn(t(3), { training: true }), error: ShapeError, message: /input/, state: bnState },
  { name: 'input of rank 4', call: bn(t(2, 3, 2, 2), {}), error: ShapeError, message: /input/, state: bnState },
  { name: 'only runningMean given', call: () => F.batchNorm1d(t(2, 3), rm, null, null, null, { training: true }), error: OptionError, message: /runningVar/, state: bnState },
  { name: 'momentum NaN', call: bn(t(4, 3), { training: true, momentum: NaN }), error: OptionError, message: /momentum/, state: bnState },
  { name: 'momentum 2', call: bn(t(4, 3), { training: true, momentum: 2 }), error: OptionError, message: /momentum/, state: bnState },
  { name: 'momentum -0.1', call: bn(t(4, 3), { training: true, momentum: -0.1 }), error: OptionError, message: /momentum/, state: bnState },
  { name: 'eps Infinity', call: bn(t(4, 3), { training: true, eps: Infinity }), error: OptionError, message: /eps/, state: bnState },
  { name: 'eps negative', call: bn(t(4, 3), { training: true, eps: -1 }), error: OptionError, message: /eps/, state: bnState },
  { name: 'eps a string', call: bn(t(4, 3), { eps: '1e-5' }), error: OptionError, message: /eps/, state: bnState },
  { name: 'training "yes"', call: bn(t(4, 3), { training: 'yes' }), error: OptionError, message: /training/, state: bnState },
  { name: 'option typo moment', call: bn(t(4, 3), { training: true, moment: 0.5 }), error: OptionError, message: /moment/, state: bnState },
  // As nn.BatchNorm1d documents (trackNonFinite off): the output keeps the NaN, the running statistics do not take it.
  { name: 'documented: NaN in a training batch stays in the output, not in the running stats', call: bn(tensor([NaN, 1, 2, 3, 4, 5], [2, 3]), { training: true }), result: nanIn, state: bnState },
  { name: 'documented: Infinity in a training batch leaves the running stats', call: bn(tensor([Infinity, 1, 2, 3, 4, 5], [2, 3]), { training: true }), result: (y) => { if ((y as Tensor).data.every(Number.isFinite)) throw new Error('a finite-looking output'); }, state: bnState },
  { name: 'an input whose buffer was detached after creation', call: () => F.batchNorm1d(withDetachedData(t(4, 3)), rm, rv, null, null, { training: true }), error: ShapeError, message: /detached|length|elements/, state: bnState },
  { name: 'weight of the wrong length', call: () => F.batchNorm1d(t(4, 3), rm, rv, t(2), null, { training: true }), error: ShapeError, message: /weight/, state: bnState },
  { name: 'bias of the wrong length', call: () => F.batchNorm1d(t(4, 3, 2), rm, rv, t(3), t(4), { training: true }), error: ShapeError, message: /bias/, state: bnState },
  { name: 'runningVar of the wrong length (runningMean right)', call: () => F.batchNorm1d(t(4, 3), rm, t(2), null, null, { training: true }), error: ShapeError, message: /runningVar/, state: bnState },
  { name: 'mismatched channels (N, C, L): input 4, running stats 3', call: bn(t(2, 4, 5), {}), error: ShapeError, message: /runningMean/, state: bnState },
  { name: 'batch size one without running statistics (batch statistics), (1, C)', call: () => F.batchNorm1d(t(1, 3), null, null), error: ShapeError, message: /per channel/ },
  { name: 'batch size one, length one without running statistics, training (1, C, 1)', call: () => F.batchNorm1d(t(1, 3, 1), null, null, null, null, { training: true }), error: ShapeError, message: /per channel/ },
  { name: 'documented: batch size one in eval uses the running stats', call: bn(t(1, 3), {}), result: (y) => { if ((y as Tensor).shape.join() !== '1,3') throw new Error('shape'); }, state: bnState },
];

// The fused Conv1d-block tail: the same refusals as batchNorm1d, before it touches the running statistics or draws a dropout stream.
const fused = (x: Tensor, o: object, w: Tensor | null = null, b: Tensor | null = null) => () => F.batchNorm1dReluDropout(x, rm, rv, w, b, o as never);
const fusedCases: Case[] = [
  { name: 'batch size one in training (1, C)', call: fused(t(1, 3), { training: true, p: 0.5 }), error: ShapeError, message: /per channel/, state: bnState },
  { name: 'batch size one, length one in training (1, C, 1)', call: fused(t(1, 3, 1), { training: true }), error: ShapeError, message: /per channel/, state: bnState },
  { name: 'batch size one, length one without running statistics (1, C, 1)', call: () => F.batchNorm1dReluDropout(t(1, 3, 1), null, null), error: ShapeError, message: /per channel/ },
  { name: 'empty batch in training', call: fused(t(0, 3, 4), { training: true }), error: ShapeError, message: /batchNorm1dReluDropout/, state: bnState },
  { name: 'mismatched channels (input 4, running stats 3)', call: fused(t(2, 4, 5), { training: true }), error: ShapeError, message: /runningMean/, state: bnState },
  { name: 'weight of the wrong length', call: fused(t(2, 3, 5), { training: true }, t(4)), error: ShapeError, message: /weight/, state: bnState },
  { name: 'bias of the wrong length', call: fused(t(2, 3, 5), { training: true }, t(3), t(2)), error: ShapeError, message: /bias/, state: bnState },
  { name: 'input of rank 4', call: fused(t(2, 3, 2, 2), {}), error: ShapeError, message: /input/, state: bnState },
  { name: 'momentum NaN', call: fused(t(2, 3, 5), { training: true, momentum: NaN }), error: OptionError, message: /momentum/, state: bnState },
  { name: 'eps Infinity', call: fused(t(2, 3, 5), { training: true, eps: Infinity }), error: OptionError, message: /eps/, state: bnState },
  { name: 'p NaN', call: fused(t(2, 3, 5), { training: true, p: NaN }), error: OptionError, message: /probability|p\b/, state: bnState },
  { name: 'option typo drop', call: fused(t(2, 3, 5), { training: true, drop: 0.5 }), error: OptionError, message: /drop/, state: bnState },
  { name: 'documented: batch size one, length one in eval uses the running stats', call: fused(t(1, 3, 1), {}), result: (y) => { if ((y as Tensor).shape.join() !== '1,3,1') throw new Error('shape'); }, state: bnState },
];

const dropoutCases: Case[] = [
  ...[-0.1, 1.5, NaN, Infinity].map((p): Case => ({ name: `dropout p = ${p}`, call: () => F.dropout(t(4), p), error: OptionError, message: /probability|p\b/ })),
  { name: 'dropout p a string', call: () => F.dropout(t(4), bad('0.5')), error: OptionError, message: /probability|p\b/ },
  { name: 'dropout p a BigInt', call: () => F.dropout(t(4), bad(0n)), error: OptionError, message: /probability|p\b/ },
  { name: 'dropout training "false" (a string)', call: () => F.dropout(t(4), 0.5, bad('false')), error: OptionError, message: /training/ },
  { name: 'dropout input a Float32Array', call: () => F.dropout(bad(new Float32Array(4))), error: OptionError, message: /input/ },
  { name: 'dropout1d on rank 1', call: () => F.dropout1d(t(4), 0.5), error: ShapeError, message: /input/ },
  { name: 'dropout1d p = 2', call: () => F.dropout1d(t(2, 3, 4), 2), error: OptionError, message: /probability|p\b/ },
  { name: 'documented: dropout p = 1 gives zeros, never NaN', call: () => F.dropout(tensor([1, 2, Infinity]), 1), result: (y) => { if ((y as Tensor).data.some((v) => !Object.is(v, 0))) throw new Error(`got ${(y as Tensor).data}`); } },
];

const activationCases: Case[] = [
  { name: 'relu of a number', call: () => F.relu(bad(3)), error: OptionError, message: /input/ },
  { name: 'leakyRelu slope NaN', call: () => F.leakyRelu(t(3), NaN), error: OptionError, message: /negativeSlope/ },
  { name: 'leakyRelu slope a string', call: () => F.leakyRelu(t(3), bad('0.1')), error: OptionError, message: /negativeSlope/ },
  { name: 'gelu approximate "fast"', call: () => F.gelu(t(3), bad('fast')), error: OptionError, message: /approximate/ },
  { name: 'gelu option typo approx', call: () => F.gelu(t(3), bad({ approx: 'tanh' })), error: OptionError, message: /approx/ },
  { name: 'softmax dim out of range', call: () => F.softmax(t(2, 3), 2), error: OptionError, message: /dim/ },
  { name: 'softmax dim missing', call: () => F.softmax(t(2, 3), bad(undefined)), error: OptionError, message: /dim/ },
  { name: 'logSoftmax dim 1.5', call: () => F.logSoftmax(t(2, 3), 1.5), error: OptionError, message: /dim/ },
  { name: 'clamp min NaN', call: () => F.clamp(t(3), { min: NaN }), error: OptionError, message: /min/ },
  { name: 'clamp option typo minimum', call: () => F.clamp(t(3), bad({ minimum: 0 })), error: OptionError, message: /minimum/ },
];

const poolCases: Case[] = [
  { name: 'maxPool1d kernelSize 0', call: () => F.maxPool1d(t(1, 2, 8), 0), error: OptionError, message: /kernelSize/ },
  { name: 'maxPool1d kernelSize longer than the input', call: () => F.maxPool1d(t(1, 2, 2), 5), error: ShapeError, message: /maxPool1d/ },
  { name: 'maxPool1d padding more than half the kernel', call: () => F.maxPool1d(t(1, 2, 8), 2, { padding: 2 }), error: OptionError, message: /padding/ },
  { name: 'maxPool1d option typo ceil_mode', call: () => F.maxPool1d(t(1, 2, 8), 2, bad({ ceil_mode: true })), error: OptionError, message: /ceil_mode/ },
  { name: 'avgPool1d stride NaN', call: () => F.avgPool1d(t(1, 2, 8), 2, { stride: NaN }), error: OptionError, message: /stride/ },
  { name: 'avgPool1d on rank 4', call: () => F.avgPool1d(t(1, 1, 2, 8), 2), error: ShapeError, message: /input/ },
  { name: 'adaptiveAvgPool1d outputSize -1', call: () => F.adaptiveAvgPool1d(t(1, 2, 8), -1), error: OptionError, message: /outputSize/ },
  { name: 'layerNorm normalizedShape not matching the input', call: () => F.layerNorm(t(2, 3), [4]), error: ShapeError, message: /normalizedShape|layerNorm/ },
  { name: 'layerNorm weight of the wrong shape', call: () => F.layerNorm(t(2, 3), [3], t(4)), error: ShapeError, message: /weight/ },
  { name: 'layerNorm bias of the wrong shape', call: () => F.layerNorm(t(2, 3), [3], t(3), t(2)), error: ShapeError, message: /bias/ },
  { name: 'layerNorm eps NaN', call: () => F.layerNorm(t(2, 3), [3], null, null, { eps: NaN }), error: OptionError, message: /eps/ },
  { name: 'layerNorm normalizedShape with a fractional size', call: () => F.layerNorm(t(2, 3), [1.5]), error: OptionError, message: /normalizedShape/ },
];

const tensorOpCases: Case[] = [
  { name: 'add shapes that do not broadcast', call: () => F.add(t(2, 3), t(4)), error: ShapeError, message: /add|broadcast/ },
  { name: 'add a string', call: () => F.add(t(2), bad('1')), error: OptionError, message: /other/ },
  { name: 'add a BigInt', call: () => F.add(t(2), bad(1n)), error: OptionError, message: /other/ },
  { name: 'add alpha NaN', call: () => F.add(t(2), t(2), { alpha: NaN }), error: OptionError, message: /alpha/ },
  { name: 'mul a plain array', call: () => F.mul(t(2), bad([1, 2])), error: OptionError, message: /other/ },
  { name: 'sum over dim 5 of a matrix', call: () => F.sum(t(2, 3), 5), error: OptionError, message: /dim/ },
  { name: 'mean with a repeated dim', call: () => F.mean(t(2, 3), [1, 1]), error: OptionError, message: /dim/ },
  { name: 'sum option typo keepDim', call: () => F.sum(t(2, 3), 1, bad({ keepDim: true })), error: OptionError, message: /keepDim/ },
  { name: 'pow exponent a string', call: () => F.pow(t(2), bad('2')), error: OptionError, message: /exponent/ },
  { name: 'matmul inner sizes differ', call: () => F.matmul(t(2, 3), t(4, 5)), error: ShapeError, message: /matmul/ },
  { name: 'matmul of a scalar', call: () => F.matmul(t(), t(2)), error: ShapeError, message: /matmul/ },
  { name: 'cat of an empty list', call: () => F.cat([]), error: OptionError, message: /cat/ },
  { name: 'cat of shapes that differ off the dim', call: () => F.cat([t(2, 3), t(2, 4)], 0), error: ShapeError, message: /cat/ },
  { name: 'cat with a non-tensor in the list', call: () => F.cat([t(2), bad([1, 2])]), error: OptionError, message: /tensors/ },
  { name: 'stack of different shapes', call: () => F.stack([t(2), t(3)]), error: ShapeError, message: /stack/ },
  { name: 'reshape to the wrong count', call: () => F.reshape(t(6), [4]), error: ShapeError, message: /reshape/ },
  { name: 'permute that is not a permutation', call: () => F.permute(t(2, 3), [0, 0]), error: OptionError, message: /dims/ },
  { name: 'transpose dim out of range', call: () => F.transpose(t(2, 3), 0, 2), error: OptionError, message: /dim/ },
  { name: 'indexSelect an index out of range', call: () => F.indexSelect(t(2, 3), 0, [0, 2]), error: OptionError, message: /index/ },
  { name: 'indexSelect a fractional index', call: () => F.indexSelect(t(2, 3), 0, [0.5]), error: OptionError, message: /index/ },
  { name: 'indexSelect a BigInt index', call: () => F.indexSelect(t(2, 3), 0, bad([0n])), error: OptionError, message: /index/ },
  { name: 'narrow past the end', call: () => F.narrow(t(4), 0, 2, 5), error: OptionError, message: /narrow/ },
  { name: 'slice step 0', call: () => F.slice(t(4), 0, 0, 4, 0), error: OptionError, message: /step/ },
  { name: 'where with a condition of another shape', call: () => F.where(new Tensor(new Float32Array(3), [3]), t(2), t(2)), error: ShapeError, message: /where|broadcast/ },
  { name: 'argmax dim out of range', call: () => F.argmax(t(2, 3), 3), error: OptionError, message: /dim/ },
  { name: 'max of an empty tensor', call: () => F.max(t(0)), error: ShapeError, message: /max/ },
];

const lossCases: Case[] = [
  { name: 'mseLoss shapes differ', call: () => F.mseLoss(t(4, 1), t(4, 2)), error: ShapeError, message: /target/ },
  { name: 'mseLoss reduction "avg"', call: () => F.mseLoss(t(4), t(4), bad({ reduction: 'avg' })), error: OptionError, message: /reduction/ },
  { name: 'mseLoss option typo reduce', call: () => F.mseLoss(t(4), t(4), bad({ reduce: 'sum' })), error: OptionError, message: /reduce/ },
  { name: 'mseLoss target a plain array', call: () => F.mseLoss(t(2), bad([1, 2])), error: OptionError, message: /target/ },
  { name: 'l1Loss of empty tensors with mean', call: () => F.l1Loss(t(0), t(0)), result: (y) => { if (!Number.isNaN((y as Tensor).item())) throw new Error('PyTorch gives NaN'); } },
  { name: 'smoothL1Loss beta negative', call: () => F.smoothL1Loss(t(4), t(4), { beta: -1 }), error: OptionError, message: /beta/ },
  { name: 'huberLoss delta NaN', call: () => F.huberLoss(t(4), t(4), { delta: NaN }), error: OptionError, message: /delta/ },
  { name: 'huberLoss delta 0', call: () => F.huberLoss(t(4), t(4), { delta: 0 }), error: OptionError, message: /delta/ },
  { name: 'crossEntropy class index out of range', call: () => F.crossEntropy(t(2, 3), [0, 3]), error: DataError, message: /target/ },
  { name: 'crossEntropy fractional class index', call: () => F.crossEntropy(t(2, 3), [0, 1.5]), error: DataError, message: /target/ },
  { name: 'crossEntropy a BigInt class index', call: () => F.crossEntropy(t(2, 3), bad([0n, 1n])), error: DataError, message: /target/ },
  { name: 'crossEntropy class indices with a hole', call: () => F.crossEntropy(t(2, 3), bad([0, , ])), error: DataError, message: /target/ },
  { name: 'crossEntropy too few class indices', call: () => F.crossEntropy(t(2, 3), [0]), error: ShapeError, message: /target/ },
  { name: 'crossEntropy target a string', call: () => F.crossEntropy(t(2, 3), bad('0,1')), error: OptionError, message: /target/ },
  { name: 'crossEntropy labelSmoothing 1.5', call: () => F.crossEntropy(t(2, 3), [0, 1], { labelSmoothing: 1.5 }), error: OptionError, message: /labelSmoothing/ },
  { name: 'crossEntropy ignoreIndex 0.5', call: () => F.crossEntropy(t(2, 3), [0, 1], { ignoreIndex: 0.5 }), error: OptionError, message: /ignoreIndex/ },
  { name: 'crossEntropy class weight of the wrong length', call: () => F.crossEntropy(t(2, 3), [0, 1], { weight: t(2) }), error: ShapeError, message: /weight/ },
  { name: 'crossEntropy input of rank 1 with two targets', call: () => F.crossEntropy(t(3), [0, 1]), error: ShapeError, message: /target/ },
  { name: 'binaryCrossEntropyWithLogits shapes differ', call: () => F.binaryCrossEntropyWithLogits(t(4), t(3)), error: ShapeError, message: /target/ },
  { name: 'binaryCrossEntropyWithLogits posWeight not broadcastable', call: () => F.binaryCrossEntropyWithLogits(t(4, 2), t(4, 2), { posWeight: t(3) }), error: ShapeError, message: /posWeight/ },
  { name: 'binaryCrossEntropyWithLogits option typo pos_weight', call: () => F.binaryCrossEntropyWithLogits(t(4), t(4), bad({ pos_weight: t(4) })), error: OptionError, message: /pos_weight/ },
];

battery('F.conv1d', conv1dCases);
battery('F.linear', linearCases);
battery('F.batchNorm1d', batchNormCases);
battery('F.batchNorm1dReluDropout', fusedCases);
battery('F.dropout/dropout1d', dropoutCases);
battery('F activations/softmax/clamp', activationCases);
battery('F pooling/layerNorm', poolCases);
battery('F tensor ops', tensorOpCases);
battery('F losses', lossCases);
