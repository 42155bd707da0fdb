/**
 * The figures keel must reach: the median ratio PyTorch-time / keel-time per case, same machine, same
 * run, both at the same thread count (2 in the issues), against PyTorch 1.13 on OpenBLAS (DESIGN.md
 * §5). The bars are issue 13's ("performance, round two") where it sets one — linear, conv1d, the
 * block and the backbone — and the SIMD issue's for BatchNorm and dropout, which issue 13 keeps.
 * `torchMs` is the PyTorch+OpenBLAS time issue 13 measured on its machine (AMD EPYC Zen 4, 2 vCPUs)
 * where it gives one, else the SIMD issue's — for orientation only; the comparison always uses the
 * PyTorch time measured in the same run.
 */
export interface Target {
  /** Required PyTorch-ms / keel-ms (keel must be at least this many times faster). */
  ratio: number;
  /** The PyTorch 1.13 median on its reference machine, ms. */
  torchMs: number;
}

export const TARGETS: Readonly<Record<string, Target>> = {
  'bn1d.train.fwd': { ratio: 6, torchMs: 22.4 },
  'bn1d.train.fwdbwd': { ratio: 4, torchMs: 69.9 },
  'bn1d.eval.fwd': { ratio: 3, torchMs: 12 },
  'dropout.fwd': { ratio: 20, torchMs: 85 },
  'dropout.fwdbwd': { ratio: 12, torchMs: 97 },
  'conv1d.fwd': { ratio: 1.5, torchMs: 14.2 },
  'conv1d.fwdbwd': { ratio: 2, torchMs: 32 },
  'block.train.fwdbwd': { ratio: 3, torchMs: 80.4 },
  'backbone.train.step': { ratio: 5, torchMs: 50 },
  'backbone.eval.fwd': { ratio: 3, torchMs: 11 },
  'linear.fwdbwd': { ratio: 1.3, torchMs: 10.5 },
};

/**
 * Machine-relative bars: the BN and dropout cases at >= 60% of the stream bandwidth measured in the
 * same run; the GEMM and convolution cases at a fraction of the FMA peak measured at the same thread count
 * (issue 13: conv1d 75%, linear 80%, the backbone's training step 70%); and backbone.eval.fwd at least
 * 3x onnxruntime-node in the same run (ratio ort/keel).
 */
export const STREAM_FRACTION: Readonly<Record<string, number>> = {
  'bn1d.train.fwd': 0.6,
  'bn1d.train.fwdbwd': 0.6,
  'bn1d.eval.fwd': 0.6,
  'dropout.fwd': 0.6,
  'dropout.fwdbwd': 0.6,
};
export const FMA_FRACTION: Readonly<Record<string, number>> = {
  'conv1d.fwd': 0.75,
  'conv1d.fwdbwd': 0.75,
  'linear.fwdbwd': 0.8,
  'backbone.train.step': 0.7,
};
export const ORT_RATIO: Readonly<Record<string, number>> = { 'backbone.eval.fwd': 3 };
