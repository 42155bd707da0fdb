/**
 * Bad-input battery (issue 12) for the layers `nn`: constructors of Conv1d, Linear, BatchNorm1d,
 * Dropout/Dropout1d, LayerNorm, the pools, Sequential and conv1dBackbone (negative, fractional, NaN,
 * huge sizes, option typos, NaN hyperparameters), and forwards (wrong rank, mismatched channels,
 * empty batches, batch size one in BatchNorm training, non-tensors) — every refused forward leaves
 * the layer's parameters, buffers and mode as they were; the same through nn.Sequential's fused
 * Conv1d → BatchNorm1d → ReLU [→ Dropout] block. nn.fromJSON with malformed configs too (a layer's
 * own error keeps its class, prefixed with its position in the tree).
 */
import { manualSeed, nn, OptionError, ShapeError, FormatError, Tensor, tensor } from '../../src/index.js';
import { battery, type Case, modelState } from './battery.js';

const bad = (v: unknown) => v as never;
const t = (...shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape);

/** Sizes every size argument must refuse (each fails before any allocation). */
const BAD_SIZES: Array<[string, unknown]> = [
  ['0', 0], ['-1', -1], ['2.5', 2.5], ['NaN', NaN], ['Infinity', Infinity], ['"3"', '3'], ['3n', 3n], ['2^53', 2 ** 53],
];

const constructorCases: Case[] = [
  ...BAD_SIZES.map(([s, v]): Case => ({ name: `Conv1d inChannels ${s}`, call: () => new nn.Conv1d(bad(v), 4, 3), error: OptionError, message: /inChannels/ })),
  ...BAD_SIZES.slice(0, 4).map(([s, v]): Case => ({ name: `Conv1d kernelSize ${s}`, call: () => new nn.Conv1d(3, 4, bad(v)), error: OptionError, message: /kernelSize/ })),
  { name: 'Conv1d a weight past 2^31 elements (2^17 · 2^17 · 1)', call: () => new nn.Conv1d(2 ** 17, 2 ** 17, 1), error: ShapeError, message: /Conv1d/ },
  { name: 'Conv1d groups not dividing the channels', call: () => new nn.Conv1d(3, 4, 3, { groups: 2 }), error: OptionError, message: /groups/ },
  { name: 'Conv1d padding "full"', call: () => new nn.Conv1d(3, 4, 3, { padding: bad('full') }), error: OptionError, message: /padding/ },
  { name: 'Conv1d padding "same" with stride 2', call: () => new nn.Conv1d(3, 4, 3, { padding: 'same', stride: 2 }), error: OptionError, message: /padding|stride/ },
  { name: 'Conv1d paddingMode "reflect"', call: () => new nn.Conv1d(3, 4, 3, { paddingMode: bad('reflect') }), error: OptionError, message: /paddingMode/ },
  { name: 'Conv1d option typo kernel_size', call: () => new nn.Conv1d(3, 4, 3, bad({ kernel_size: 3 })), error: OptionError, message: /kernel_size/ },
  { name: 'Conv1d bias "false" (a string)', call: () => new nn.Conv1d(3, 4, 3, { bias: bad('false') }), error: OptionError, message: /bias/ },
  ...BAD_SIZES.map(([s, v]): Case => ({ name: `Linear outFeatures ${s}`, call: () => new nn.Linear(2, bad(v)), error: OptionError, message: /outFeatures/ })),
  { name: 'Linear a weight past 2^31 elements (2^20 × 2^20)', call: () => new nn.Linear(2 ** 20, 2 ** 20), error: ShapeError, message: /Linear/ },
  { name: 'Linear option typo bais', call: () => new nn.Linear(2, 3, bad({ bais: false })), error: OptionError, message: /bais/ },
  ...BAD_SIZES.slice(0, 5).map(([s, v]): Case => ({ name: `BatchNorm1d numFeatures ${s}`, call: () => new nn.BatchNorm1d(bad(v)), error: OptionError, message: /numFeatures/ })),
  { name: 'BatchNorm1d momentum NaN', call: () => new nn.BatchNorm1d(3, { momentum: NaN }), error: OptionError, message: /momentum/ },
  { name: 'BatchNorm1d momentum 1.5', call: () => new nn.BatchNorm1d(3, { momentum: 1.5 }), error: OptionError, message: /momentum/ },
  { name: 'BatchNorm1d eps -1', call: () => new nn.BatchNorm1d(3, { eps: -1 }), error: OptionError, message: /eps/ },
  { name: 'BatchNorm1d eps Infinity', call: () => new nn.BatchNorm1d(3, { eps: Infinity }), error: OptionError, message: /eps/ },
  { name: 'BatchNorm1d option typo track_running_stats', call: () => new nn.BatchNorm1d(3, bad({ track_running_stats: false })), error: OptionError, message: /track_running_stats/ },
  { name: 'BatchNorm1d affine 1', call: () => new nn.BatchNorm1d(3, { affine: bad(1) }), error: OptionError, message: /affine/ },
  ...[-0.5, 1.01, NaN].map((p): Case => ({ name: `Dropout p ${String(p)}`, call: () => new nn.Dropout(bad(p)), error: OptionError, message: /p\b|probability/ })),
  { name: 'Dropout p "0.5" (a string)', call: () => new nn.Dropout(bad('0.5')), error: OptionError, message: /Dropout/ },
  { name: 'Dropout option typo prob', call: () => new nn.Dropout(bad({ prob: 0.5 })), error: OptionError, message: /prob/ },
  { name: 'Dropout1d p -1', call: () => new nn.Dropout1d(-1), error: OptionError, message: /p\b|probability/ },
  { name: 'LayerNorm normalizedShape []', call: () => new nn.LayerNorm([]), error: OptionError, message: /normalizedShape/ },
  { name: 'LayerNorm normalizedShape [-3]', call: () => new nn.LayerNorm([-3]), error: OptionError, message: /normalizedShape/ },
  { name: 'LayerNorm eps NaN', call: () => new nn.LayerNorm(3, { eps: NaN }), error: OptionError, message: /eps/ },
  { name: 'MaxPool1d kernelSize 0', call: () => new nn.MaxPool1d(0), error: OptionError, message: /kernelSize/ },
  { name: 'MaxPool1d stride -2', call: () => new nn.MaxPool1d(2, { stride: -2 }), error: OptionError, message: /stride/ },
  { name: 'AvgPool1d option typo count_include_pad', call: () => new nn.AvgPool1d(2, bad({ count_include_pad: false })), error: OptionError, message: /count_include_pad/ },
  { name: 'AdaptiveAvgPool1d outputSize 1.5', call: () => new nn.AdaptiveAvgPool1d(1.5), error: OptionError, message: /outputSize/ },
  { name: 'LeakyReLU negativeSlope NaN', call: () => new nn.LeakyReLU(NaN), error: OptionError, message: /negativeSlope/ },
  { name: 'GELU approximate "fast"', call: () => new nn.GELU(bad({ approximate: 'fast' })), error: OptionError, message: /approximate/ },
  { name: 'Flatten startDim 1.5', call: () => new nn.Flatten(bad({ startDim: 1.5 })), error: OptionError, message: /startDim/ },
  { name: 'Sequential of a plain function', call: () => new nn.Sequential(bad((x: Tensor) => x)), error: OptionError, message: /Module/ },
  { name: 'Sequential with an undefined hole', call: () => new nn.Sequential(new nn.ReLU(), bad(undefined)), error: OptionError, message: /argument 1/ },
  { name: 'Sequential.append a Tensor', call: () => new nn.Sequential().append(bad(t(2))), error: OptionError, message: /append/ },
  { name: 'Sequential.at out of range', call: () => new nn.Sequential(new nn.ReLU()).at(3), error: OptionError, message: /index/ },
  { name: 'conv1dBackbone widths []', call: () => nn.conv1dBackbone({ widths: [] }), error: OptionError, message: /widths/ },
  { name: 'conv1dBackbone widths with a hole', call: () => nn.conv1dBackbone({ widths: bad([8, , 8]) }), error: OptionError, message: /widths/ },
  { name: 'conv1dBackbone window 0', call: () => nn.conv1dBackbone({ window: 0 }), error: OptionError, message: /window/ },
  { name: 'conv1dBackbone dropout NaN', call: () => nn.conv1dBackbone({ dropout: NaN }), error: OptionError, message: /dropout/ },
  { name: 'conv1dBackbone headDropout 2', call: () => nn.conv1dBackbone({ headDropout: 2 }), error: OptionError, message: /headDropout/ },
  { name: 'conv1dBackbone bnMomentum -1', call: () => nn.conv1dBackbone({ bnMomentum: -1 }), error: OptionError, message: /bnMomentum/ },
  { name: 'conv1dBackbone option typo in_channels', call: () => nn.conv1dBackbone(bad({ in_channels: 4 })), error: OptionError, message: /in_channels/ },
  { name: 'conv1dBackbone options an array', call: () => nn.conv1dBackbone(bad([4])), error: OptionError, message: /options/ },
];

manualSeed(7);
const conv = new nn.Conv1d(3, 4, 3, { padding: 1 });
const lin = new nn.Linear(4, 2);
const bn = new nn.BatchNorm1d(3);
const ln = new nn.LayerNorm(4);
const drop = new nn.Dropout(0.5);
const grouped = new nn.Conv1d(4, 6, 3, { groups: 2 });
const bnEval = new nn.BatchNorm1d(3).eval();
const bnBatchStats = new nn.BatchNorm1d(3, { trackRunningStats: false }).eval();
const ln2 = new nn.LayerNorm([3, 4]);
// Conv1d → BatchNorm1d → ReLU [→ Dropout] children run as one fused block (nn.setFusion, on by default).
const block = new nn.Sequential(new nn.Conv1d(3, 4, 3), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Dropout(0.2));
const blockNoDropout = new nn.Sequential(new nn.Conv1d(3, 4, 3), new nn.BatchNorm1d(4), new nn.ReLU());
const convToBn = new nn.Sequential(new nn.Conv1d(3, 4, 3), new nn.BatchNorm1d(5));
const linToBn = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(6));
const backbone = nn.conv1dBackbone({ inChannels: 3, window: 8, widths: [4, 4], headHidden: 8 });
const fwd = (m: nn.Module, ...inputs: unknown[]): Pick<Case, 'call' | 'state'> => ({ call: () => m.forward(...(inputs as Tensor[])), state: modelState(m) });

const forwardCases: Case[] = [
  { name: 'Conv1d: mismatched channels', ...fwd(conv, t(2, 2, 8)), error: ShapeError, message: /Conv1d.*3/ },
  { name: 'Conv1d: rank 4 input', ...fwd(conv, t(1, 2, 3, 8)), error: ShapeError, message: /input/ },
  { name: 'Conv1d: a nested array', ...fwd(conv, [[[1, 2, 3]]]), error: OptionError, message: /input/ },
  { name: 'Conv1d: a Float32Array', ...fwd(conv, new Float32Array(24)), error: OptionError, message: /input/ },
  { name: 'Conv1d: a plain {shape, data} object', ...fwd(conv, { shape: [1, 3, 8], data: new Float32Array(24) }), error: OptionError, message: /input/ },
  { name: 'Conv1d: undefined', ...fwd(conv, undefined), error: OptionError, message: /input/ },
  { name: 'Conv1d: length 0 input', ...fwd(conv, t(1, 3, 0)), error: ShapeError, message: /Conv1d|length/ },
  { name: 'Linear: wrong in-features', ...fwd(lin, t(5, 3)), error: ShapeError, message: /Linear/ },
  { name: 'Linear: a scalar', ...fwd(lin, t()), error: ShapeError, message: /input/ },
  { name: 'Linear: a BigInt', ...fwd(lin, 4n), error: OptionError, message: /input/ },
  { name: 'BatchNorm1d training: batch size one (1, C)', ...fwd(bn, t(1, 3)), error: ShapeError, message: /per channel|BatchNorm1d/ },
  { name: 'BatchNorm1d training: batch size one, length one (1, C, 1)', ...fwd(bn, t(1, 3, 1)), error: ShapeError, message: /per channel|BatchNorm1d/ },
  { name: 'BatchNorm1d training: empty batch', ...fwd(bn, t(0, 3)), error: ShapeError, message: /BatchNorm1d/ },
  { name: 'BatchNorm1d: mismatched channels', ...fwd(bn, t(4, 5)), error: ShapeError, message: /BatchNorm1d/ },
  { name: 'BatchNorm1d: mismatched channels (N, C, L)', ...fwd(bn, t(2, 5, 4)), error: ShapeError, message: /BatchNorm1d/ },
  { name: 'BatchNorm1d eval: mismatched channels', ...fwd(bnEval, t(2, 4, 4)), error: ShapeError, message: /BatchNorm1d/ },
  { name: 'BatchNorm1d trackRunningStats false, eval (batch statistics): batch size one (1, C)', ...fwd(bnBatchStats, t(1, 3)), error: ShapeError, message: /per channel|BatchNorm1d/ },
  { name: 'BatchNorm1d trackRunningStats false, eval: batch size one, length one (1, C, 1)', ...fwd(bnBatchStats, t(1, 3, 1)), error: ShapeError, message: /per channel|BatchNorm1d/ },
  { name: 'documented: BatchNorm1d eval with batch size one, length one uses the running stats', ...fwd(bnEval, t(1, 3, 1)), result: (y) => { if ((y as Tensor).shape.join() !== '1,3,1') throw new Error(`shape ${(y as Tensor).shape}`); } },
  { name: 'Conv1d groups 2: mismatched channels (input 2, 4 needed)', ...fwd(grouped, t(2, 2, 8)), error: ShapeError, message: /Conv1d|channels/ },
  { name: 'Conv1d groups 2: mismatched channels (input 6, 4 needed)', ...fwd(grouped, t(2, 6, 8)), error: ShapeError, message: /Conv1d|channels/ },
  { name: 'Linear: wrong in-features on a (N, L, F) input', ...fwd(lin, t(2, 5, 3)), error: ShapeError, message: /Linear/ },
  { name: 'LayerNorm [3, 4]: trailing dims (4, 3)', ...fwd(ln2, t(2, 4, 3)), error: ShapeError, message: /LayerNorm/ },
  { name: 'fused Conv1d block (training): batch size one, length one after the conv (1, 3, 3) → (1, 4, 1)', ...fwd(block, t(1, 3, 3)), error: ShapeError, message: /per channel|BatchNorm1d/ },
  { name: 'fused Conv1d block without Dropout (training): batch size one, length one after the conv', ...fwd(blockNoDropout, t(1, 3, 3)), error: ShapeError, message: /per channel|BatchNorm1d/ },
  { name: 'fused Conv1d block: mismatched channels', ...fwd(block, t(2, 2, 8)), error: ShapeError, message: /Conv1d/ },
  { name: 'fused Conv1d block: empty batch', ...fwd(block, t(0, 3, 8)), error: ShapeError, message: /BatchNorm1d|batch/ },
  { name: 'Sequential: Conv1d (4 out) into BatchNorm1d(5)', ...fwd(convToBn, t(2, 3, 8)), error: ShapeError, message: /BatchNorm1d/ },
  { name: 'Sequential: Linear (8 out) into BatchNorm1d(6)', ...fwd(linToBn, t(2, 4)), error: ShapeError, message: /BatchNorm1d/ },
  { name: 'BatchNorm1d: rank 1', ...fwd(bn, t(3)), error: ShapeError, message: /input/ },
  { name: 'documented: BatchNorm1d training on a NaN batch keeps NaN out of the running stats', ...fwd(bn, tensor([NaN, 1, 2, 3, 4, 5], [2, 3])),
    // modelState covers num_batches_tracked too; the training flag is unchanged by forward.
    result: (y) => { if (!(y as Tensor).data.some(Number.isNaN)) throw new Error('NaN did not reach the output'); } },
  { name: 'documented: BatchNorm1d training on an Infinity batch keeps the running stats', ...fwd(bn, tensor([Infinity, 1, 2, 3, 4, 5], [2, 3])),
    result: (y) => { if ((y as Tensor).data.every(Number.isFinite)) throw new Error('a finite-looking output'); } },
  { name: 'LayerNorm: last dim not normalizedShape', ...fwd(ln, t(2, 5)), error: ShapeError, message: /LayerNorm/ },
  { name: 'Dropout: a string', ...fwd(drop, 'x'), error: OptionError, message: /input/ },
  { name: 'backbone: mismatched channels', ...fwd(backbone, t(2, 4, 8)), error: ShapeError, message: /Conv1d/ },
  { name: 'backbone: a window the head was not built for', ...fwd(backbone, t(2, 3, 9)), error: ShapeError, message: /Linear|window/ },
  // N = 1, L = 8: every BatchNorm sees 8 values per channel, which PyTorch allows (and the head has no
  // BatchNorm); a training forward updates the running statistics, so no snapshot here.
  { name: 'documented: backbone (training) with batch size one runs', call: () => backbone.forward(t(1, 3, 8)), result: (y) => { if ((y as Tensor).shape.join() !== '1,1') throw new Error(`shape ${(y as Tensor).shape}`); } },
  { name: 'backbone: rank 2 input', ...fwd(backbone, t(3, 8)), error: ShapeError, message: /input|Conv1d/ },
  { name: 'backbone: empty batch', ...fwd(backbone, t(0, 3, 8)), error: ShapeError, message: /BatchNorm1d|batch/ },
];

const jsonCases: Case[] = [
  { name: 'fromJSON an unknown type', call: () => nn.fromJSON(bad({ type: 'Conv2d' })), error: FormatError, message: /Conv2d/ },
  { name: 'fromJSON without type', call: () => nn.fromJSON(bad({ options: {} })), error: FormatError, message: /type/ },
  { name: 'fromJSON null', call: () => nn.fromJSON(bad(null)), error: FormatError, message: /fromJSON/ },
  { name: 'documented: fromJSON takes the JSON text too', call: () => nn.fromJSON('{"type":"ReLU"}'), result: (m) => { if (!(m instanceof nn.ReLU)) throw new Error('not a ReLU'); } },
  { name: 'fromJSON text that is not JSON', call: () => nn.fromJSON('{"type": "ReLU"'), error: FormatError, message: /fromJSON|JSON/ },
  { name: 'fromJSON Linear with a negative size', call: () => nn.fromJSON(bad({ type: 'Linear', options: { inFeatures: -1, outFeatures: 2 } })), error: OptionError, message: /^fromJSON: building Linear at the root: Linear: inFeatures/ },
  { name: 'fromJSON a Sequential whose child 1 is a Linear with outFeatures 0', call: () => nn.fromJSON(bad({ type: 'Sequential', children: [{ type: 'ReLU' }, { type: 'Linear', options: { inFeatures: 2, outFeatures: 0 } }] })), error: OptionError, message: /^fromJSON: building Linear at "1": Linear: outFeatures/ },
  { name: 'fromJSON Sequential with a child that is not an object', call: () => nn.fromJSON(bad({ type: 'Sequential', children: [5] })), error: FormatError, message: /children|fromJSON/ },
  { name: 'fromJSON "__proto__" as the type', call: () => nn.fromJSON(bad({ type: '__proto__' })), error: FormatError, message: /__proto__/ },
  { name: 'fromJSON "constructor" as the type', call: () => nn.fromJSON(bad({ type: 'constructor' })), error: FormatError, message: /constructor/ },
];

battery('nn constructors', constructorCases);
battery('nn forwards', forwardCases);
battery('nn.fromJSON', jsonCases);
