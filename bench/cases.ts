/**
 * The bench cases: the names and shapes of the SIMD issue (and of the PyTorch mirror
 * bench/torch_cases.py), float32, NCL layout. Two kinds:
 *
 *   kernel  calls the kernel set directly (bn1d.*, dropout.*, conv1d.*, linear.fwdbwd, optim.*). A case
 *           allocates and fills its inputs once (setup), shared by every implementation; binding the
 *           result to a kernel set gives the function that is timed, which only calls kernels.
 *   layer   runs the library's public API — nn modules, autograd, F, optim — on the kernel set the
 *           library selected at import (block.train.fwdbwd, backbone.train.step, backbone.eval.fwd).
 *           So 'native' is the library with the addon and 'ref' is the library with KEEL_BACKEND=js;
 *           the runner (./suite.ts) runs the ref variant in a child process with that variable set.
 *
 * Throughput is counted as follows, so that numbers are comparable across implementations:
 *   bytes  compulsory memory traffic: every float32 tensor of the call read or written once
 *          (4 bytes per element; per-channel vectors are ignored). Memory-bound cases only.
 *   flops  2 per multiply-add of the GEMM-like kernels (bias additions and bias gradients ignored;
 *          in layer cases, BatchNorm/ReLU/Dropout/loss/optimiser work is not counted either).
 */
import type { KernelName, KernelSet } from '../src/backend/kernel-set.js';
import type * as Keel from '../src/index.js';
import type { BatchNorm1dBackwardParams, BatchNorm1dEvalParams, BatchNorm1dParams } from '../src/ref/batchnorm1d.js';
import type { Conv1dParams } from '../src/ref/conv1d.js';
import type { DropoutParams } from '../src/ref/dropout.js';
import type { LinearParams } from '../src/ref/linear.js';
import type { AdamUpdateParams, SgdUpdateParams } from '../src/ref/optim.js';

/** The function to time for one kernel set. */
export type Bind = (kernels: KernelSet) => () => void;

/** The library's public API (src/index.ts), imported by the runner once the environment is set. */
export type KeelApi = typeof Keel;

interface CaseBase {
  name: string;
  /** One line saying what is run, for --help and readers. */
  what: string;
  /** Bytes moved per run (see above); shown as GB/s and as a fraction of the stream bandwidth. */
  bytes?: number;
  /** Floating-point operations per run (see above); shown as GFLOP/s and as a fraction of the FMA peak. */
  flops?: number;
}

export interface KernelCase extends CaseBase {
  kind: 'kernel';
  /** The kernels one run calls (the table shows their native variants). */
  kernels: readonly KernelName[];
  /** Allocates and fills the inputs and outputs; called once per case. */
  setup(): Bind;
}

export interface LayerCase extends CaseBase {
  kind: 'layer';
  /** Builds the model and inputs with the given library; returns the function to time. */
  setup(keel: KeelApi): () => void;
}

export type BenchCase = KernelCase | LayerCase;

/** mulberry32: a small deterministic PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Arrays of the kernel cases come from the library's tensor storage (cache-line aligned when large,
 * as every tensor a layer hands a kernel), once the runner has imported the library.
 */
let f32 = (n: number): Float32Array => new Float32Array(n);
export function allocateLikeTensors(keel: KeelApi): void {
  f32 = (n) => keel.zeros([n]).data;
}

/** Deterministic float32 fills; each case starts its own generator from a fixed seed. */
class Filler {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** n values uniform in [lo, hi). */
  uniform(n: number, lo = -1, hi = 1): Float32Array {
    const a = f32(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * this.next();
    return a;
  }
}

const F32 = 4;

// --- BatchNorm1d(128), x (64, 128, 1024) ---------------------------------------------------------
const BN = { batch: 64, channels: 128, length: 1024 } as const;
const BN_ELEMS = BN.batch * BN.channels * BN.length;

function bnInputs(seed: number) {
  const f = new Filler(seed);
  const C = BN.channels;
  return {
    x: f.uniform(BN_ELEMS),
    y: f32(BN_ELEMS),
    weight: f.uniform(C, 0.5, 1.5),
    bias: f.uniform(C, -0.5, 0.5),
    runningMean: f.uniform(C, -0.1, 0.1),
    runningVar: f.uniform(C, 0.5, 1.5),
    saveMean: f32(C),
    saveInvstd: f32(C),
  };
}

const bnTrain: BatchNorm1dParams = { ...BN, eps: 1e-5, momentum: 0.1 };
const bnEval: BatchNorm1dEvalParams = { ...BN, eps: 1e-5 };
const bnBackward: BatchNorm1dBackwardParams = { ...BN, training: true };

// --- Dropout(0.15), x (64, 128, 1024) ------------------------------------------------------------
const DROPOUT: DropoutParams = { count: BN_ELEMS, p: 0.15, seed: 1234, stream: 0, offset: 0 };

// --- Conv1d(128 -> 128, k=3, padding=1, no bias), x (32, 128, 512) -------------------------------
const CONV: Conv1dParams = {
  batch: 32, inChannels: 128, inLength: 512, outChannels: 128, kernelSize: 3,
  stride: 1, padLeft: 1, padRight: 1, dilation: 1, groups: 1,
};
const CONV_OUT_LENGTH = CONV.inLength; // stride 1, 'same' padding
const CONV_X = CONV.batch * CONV.inChannels * CONV.inLength;
const CONV_Y = CONV.batch * CONV.outChannels * CONV_OUT_LENGTH;
const CONV_W = CONV.outChannels * CONV.inChannels * CONV.kernelSize;
/** One conv1d pass (forward, backward-data or backward-weight): 2 * N * C_out * L_out * C_in * K. */
const CONV_PASS_FLOPS = 2 * CONV.batch * CONV.outChannels * CONV_OUT_LENGTH * CONV.inChannels * CONV.kernelSize;

function convInputs(seed: number) {
  const f = new Filler(seed);
  const bound = 1 / Math.sqrt(CONV.inChannels * CONV.kernelSize); // PyTorch's default init range
  return {
    x: f.uniform(CONV_X),
    w: f.uniform(CONV_W, -bound, bound),
    y: f32(CONV_Y),
    dy: f.uniform(CONV_Y),
    dx: f32(CONV_X),
    dw: f32(CONV_W),
  };
}

// --- Linear(1920 -> 128), x (256, 1920) ----------------------------------------------------------
const LINEAR: LinearParams = { batch: 256, inFeatures: 1920, outFeatures: 128 };
/** One GEMM of the linear layer: 2 * N * in * out. */
const LINEAR_GEMM_FLOPS = 2 * LINEAR.batch * LINEAR.inFeatures * LINEAR.outFeatures;

// --- Conv1d(128→128,k3,p1,no bias) → BatchNorm1d(128) → ReLU → Dropout(0.15), x (32, 128, 512) ---
const BLOCK_SHAPE = [CONV.batch, CONV.inChannels, CONV.inLength] as const;

// --- optimiser updates: one parameter tensor of 2^22 values -------------------------------------
const OPTIM_N = 1 << 22;
/** Adam(lr 1e-3, betas (0.9, 0.999), weightDecay 1e-5), the scalars of its 10th step (src/optim/adam.ts). */
const ADAM: AdamUpdateParams = {
  count: OPTIM_N, beta1: Math.fround(0.9), beta2: Math.fround(0.999), oneMinusBeta1: Math.fround(0.1),
  oneMinusBeta2: Math.fround(0.001), weightDecay: Math.fround(1e-5), eps: Math.fround(1e-8), decay: 1,
  c2Sqrt: Math.fround(Math.sqrt(1 - 0.999 ** 10)), negStep: Math.fround(-1e-3 / (1 - 0.9 ** 10)),
  decoupled: false, maximize: false, amsgrad: false,
};
/** SGD(lr 1e-2, momentum 0.9, weightDecay 1e-5) after its first step (src/optim/sgd.ts). */
const SGD: SgdUpdateParams = {
  count: OPTIM_N, weightDecay: Math.fround(1e-5), momentum: Math.fround(0.9), oneMinusDampening: 1,
  negLr: Math.fround(-1e-2), nesterov: false, maximize: false, firstStep: false,
};

// --- DESIGN.md §1 backbone: nn.conv1dBackbone() defaults, batch 256 ------------------------------
// 14 → 64 → 64 → 64 channels (k=3, padding 1, BN, ReLU, Dropout 0.15), window 30, then
// Flatten → Linear(1920 → 128) → ReLU → Dropout(0.5) → Linear(128 → 1).
const BACKBONE = { batch: 256, inChannels: 14, window: 30, widths: [64, 64, 64], kernelSize: 3, hidden: 128, outputs: 1 } as const;

/** Multiply-add flops of the backbone: forward, and a training step (forward + backward). */
function backboneFlops(): { forward: number; step: number } {
  const { batch: N, window: L, kernelSize: K, hidden, outputs } = BACKBONE;
  let forward = 0, step = 0, c: number = BACKBONE.inChannels;
  BACKBONE.widths.forEach((w, i) => {
    const pass = 2 * N * w * L * c * K;
    forward += pass;
    // backward-weight always; backward-data except for the first conv (its input needs no grad)
    step += pass * (i === 0 ? 2 : 3);
    c = w;
  });
  for (const [inF, outF] of [[c * L, hidden], [hidden, outputs]] as const) {
    const gemm = 2 * N * inF * outF;
    forward += gemm;
    step += 3 * gemm; // forward, backward-data (the hidden activations need it), backward-weight
  }
  return { forward, step };
}
const BACKBONE_FLOPS = backboneFlops();

export const CASES: readonly BenchCase[] = [
  {
    kind: 'kernel',
    name: 'bn1d.train.fwd',
    what: 'BatchNorm1d(128) training forward (batch stats, running-stat update), x (64,128,1024)',
    kernels: ['batchNorm1dTrainForward'],
    bytes: 2 * BN_ELEMS * F32, // x, y
    setup() {
      const t = bnInputs(1);
      return (k) => () =>
        k.batchNorm1dTrainForward(t.y, t.saveMean, t.saveInvstd, t.runningMean, t.runningVar, t.x, t.weight, t.bias, bnTrain);
    },
  },
  {
    kind: 'kernel',
    name: 'bn1d.train.fwdbwd',
    what: 'BatchNorm1d(128) training forward + backward (dx, dγ, dβ), x (64,128,1024)',
    kernels: ['batchNorm1dTrainForward', 'batchNorm1dBackward'],
    bytes: 5 * BN_ELEMS * F32, // forward: x, y; backward: dy, x, dx
    setup() {
      const t = bnInputs(2);
      const f = new Filler(102);
      const dy = f.uniform(BN_ELEMS), dx = f32(BN_ELEMS);
      const dweight = f32(BN.channels), dbias = f32(BN.channels);
      return (k) => () => {
        k.batchNorm1dTrainForward(t.y, t.saveMean, t.saveInvstd, t.runningMean, t.runningVar, t.x, t.weight, t.bias, bnTrain);
        k.batchNorm1dBackward(dx, dweight, dbias, dy, t.x, t.saveMean, t.saveInvstd, t.weight, bnBackward);
      };
    },
  },
  {
    kind: 'kernel',
    name: 'bn1d.eval.fwd',
    what: 'BatchNorm1d(128) eval forward (running stats), x (64,128,1024)',
    kernels: ['batchNorm1dEvalForward'],
    bytes: 2 * BN_ELEMS * F32, // x, y
    setup() {
      const t = bnInputs(3);
      return (k) => () => k.batchNorm1dEvalForward(t.y, t.x, t.runningMean, t.runningVar, t.weight, t.bias, bnEval);
    },
  },
  {
    kind: 'kernel',
    name: 'dropout.fwd',
    what: 'Dropout(0.15) training forward, x (64,128,1024)',
    kernels: ['dropoutForward'],
    bytes: 2 * BN_ELEMS * F32, // x, y (the mask is regenerated from Philox, never stored)
    setup() {
      const f = new Filler(4);
      const x = f.uniform(BN_ELEMS), y = f32(BN_ELEMS);
      return (k) => () => k.dropoutForward(y, x, DROPOUT);
    },
  },
  {
    kind: 'kernel',
    name: 'dropout.fwdbwd',
    what: 'Dropout(0.15) training forward + backward (dx), x (64,128,1024)',
    kernels: ['dropoutForward', 'dropoutBackward'],
    bytes: 4 * BN_ELEMS * F32, // forward: x, y; backward: dy, dx
    setup() {
      const f = new Filler(5);
      const x = f.uniform(BN_ELEMS), y = f32(BN_ELEMS);
      const dy = f.uniform(BN_ELEMS), dx = f32(BN_ELEMS);
      return (k) => () => {
        k.dropoutForward(y, x, DROPOUT);
        k.dropoutBackward(dx, dy, DROPOUT);
      };
    },
  },
  {
    kind: 'kernel',
    name: 'conv1d.fwd',
    what: 'Conv1d(128→128, k=3, padding=1, no bias) forward, x (32,128,512)',
    kernels: ['conv1dForward'],
    flops: CONV_PASS_FLOPS,
    setup() {
      const t = convInputs(6);
      return (k) => () => k.conv1dForward(t.y, t.x, t.w, null, CONV);
    },
  },
  {
    kind: 'kernel',
    name: 'conv1d.fwdbwd',
    what: 'Conv1d(128→128, k=3, padding=1, no bias) forward + backward (dx, dW), x (32,128,512)',
    kernels: ['conv1dForward', 'conv1dBackwardData', 'conv1dBackwardWeight'],
    flops: 3 * CONV_PASS_FLOPS,
    setup() {
      const t = convInputs(7);
      return (k) => () => {
        k.conv1dForward(t.y, t.x, t.w, null, CONV);
        k.conv1dBackwardData(t.dx, t.dy, t.w, CONV);
        k.conv1dBackwardWeight(t.dw, t.x, t.dy, CONV);
      };
    },
  },
  {
    kind: 'layer',
    name: 'block.train.fwdbwd',
    what: 'Sequential(Conv1d(128→128,k3,p1,no bias), BatchNorm1d(128), ReLU, Dropout(0.15)) train forward + y.backward(g), x (32,128,512)',
    flops: 3 * CONV_PASS_FLOPS, // the conv's forward, backward-data, backward-weight
    setup({ nn, randn, manualSeed }) {
      manualSeed(0);
      const block = new nn.Sequential(
        new nn.Conv1d(CONV.inChannels, CONV.outChannels, CONV.kernelSize, { padding: 1, bias: false }),
        new nn.BatchNorm1d(CONV.outChannels),
        new nn.ReLU(),
        new nn.Dropout(0.15),
      ).train();
      const x = randn([...BLOCK_SHAPE], { requiresGrad: true });
      const g = randn([CONV.batch, CONV.outChannels, CONV_OUT_LENGTH]);
      return () => {
        x.grad = null;
        block.zeroGrad();
        block.forward(x).backward(g);
      };
    },
  },
  {
    kind: 'layer',
    name: 'backbone.train.step',
    what: 'nn.conv1dBackbone() (14 ch, window 30, 1 output), batch 256: zeroGrad, forward, F.mseLoss, backward, Adam(lr 1e-3, wd 1e-5) step',
    flops: BACKBONE_FLOPS.step,
    setup({ nn, optim, F, randn, manualSeed }) {
      manualSeed(0);
      const net = nn.conv1dBackbone().train();
      const opt = new optim.Adam(net.parameters(), { lr: 1e-3, weightDecay: 1e-5 });
      const x = randn([BACKBONE.batch, BACKBONE.inChannels, BACKBONE.window]);
      const y = randn([BACKBONE.batch, BACKBONE.outputs]);
      return () => {
        opt.zeroGrad();
        F.mseLoss(net.forward(x), y).backward();
        opt.step();
      };
    },
  },
  {
    kind: 'layer',
    name: 'backbone.eval.fwd',
    what: 'nn.conv1dBackbone() in eval mode under noGrad, forward, batch 256',
    flops: BACKBONE_FLOPS.forward,
    setup({ nn, randn, manualSeed, noGrad }) {
      manualSeed(1);
      const net = nn.conv1dBackbone().eval();
      const x = randn([BACKBONE.batch, BACKBONE.inChannels, BACKBONE.window]);
      return () => {
        noGrad(() => net.forward(x));
      };
    },
  },
  {
    kind: 'kernel',
    name: 'linear.fwdbwd',
    what: 'Linear(1920→128) forward + backward (dx, dW, db), x (256,1920)',
    kernels: ['linearForward', 'linearBackwardData', 'linearBackwardWeight', 'linearBackwardBias'],
    flops: 3 * LINEAR_GEMM_FLOPS,
    setup() {
      const f = new Filler(8);
      const { batch: N, inFeatures: I, outFeatures: O } = LINEAR;
      const bound = 1 / Math.sqrt(I);
      const x = f.uniform(N * I), w = f.uniform(O * I, -bound, bound), b = f.uniform(O, -bound, bound);
      const dy = f.uniform(N * O);
      const y = f32(N * O), dx = f32(N * I), dw = f32(O * I), db = f32(O);
      return (k) => () => {
        k.linearForward(y, x, w, b, LINEAR);
        k.linearBackwardData(dx, dy, w, LINEAR);
        k.linearBackwardWeight(dw, x, dy, LINEAR);
        k.linearBackwardBias(db, dy, LINEAR);
      };
    },
  },
  {
    kind: 'kernel',
    name: 'optim.adam',
    what: 'Adam(lr 1e-3, weightDecay 1e-5) update of one parameter tensor of 2^22 values',
    kernels: ['adamUpdate'],
    bytes: 7 * OPTIM_N * F32, // param, expAvg, expAvgSq read and written; grad read
    setup() {
      const f = new Filler(9);
      const param = f.uniform(OPTIM_N), m = f.uniform(OPTIM_N, -1e-3, 1e-3), v = f.uniform(OPTIM_N, 0, 1e-6);
      const grad = f.uniform(OPTIM_N, -1e-2, 1e-2);
      return (k) => () => k.adamUpdate(param, m, v, null, grad, ADAM);
    },
  },
  {
    kind: 'kernel',
    name: 'optim.sgd',
    what: 'SGD(lr 1e-2, momentum 0.9, weightDecay 1e-5) update of one parameter tensor of 2^22 values',
    kernels: ['sgdUpdate'],
    bytes: 5 * OPTIM_N * F32, // param, momentum buffer read and written; grad read
    setup() {
      const f = new Filler(10);
      const param = f.uniform(OPTIM_N), buf = f.uniform(OPTIM_N, -1e-2, 1e-2), grad = f.uniform(OPTIM_N, -1e-2, 1e-2);
      return (k) => () => k.sgdUpdate(param, buf, grad, SGD);
    },
  },
];
