/**
 * Shared by the optim tests: the PyTorch fixture's types, and building keel optimisers and
 * schedulers from the fixture's specs (which use keel's option names).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Adam,
  AdamW,
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  type Optimizer,
  type OptimizerStateDict,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
  type LRScheduler,
} from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

export interface OptimizerSpec {
  type: 'SGD' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  groups?: Array<Record<string, unknown> & { params: number[] }>;
}

export interface SchedulerSpec {
  type: string;
  options?: Record<string, unknown>;
  schedulers?: SchedulerSpec[];
  milestones?: number[];
  lambda?: string | string[];
}

export interface OptimizerCase {
  name: string;
  optimizer: OptimizerSpec;
  scheduler?: SchedulerSpec;
  /** Parameters (flat) after each step. */
  steps: number[][][];
  /** Group lrs after each step. */
  lrs: number[][];
  state_dict_step3: OptimizerStateDict;
  state_dict_final: OptimizerStateDict;
}

export interface SchedulerCase {
  name: string;
  optimizer: OptimizerSpec;
  scheduler: SchedulerSpec;
  metrics?: number[];
  /** Group lrs after construction and after each step. */
  lrs: number[][];
  /** OneCycleLR: SGD momentum / Adam beta1 of each group, likewise. */
  momenta?: Array<Array<number | null>>;
  extra_step_error?: string | null;
}

export interface OptimFixture {
  producer: string;
  shapes: number[][];
  init: number[][];
  grads: Array<Array<number[] | null>>;
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
}

export function loadFixture(): OptimFixture {
  const path = fileURLToPath(new URL('../fixtures/optim/optim.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as OptimFixture;
}

/** Fresh leaf parameters with the given values. */
export function makeParams(shapes: number[][], values: number[][]): Tensor[] {
  return shapes.map((s, i) => new Tensor(Float32Array.from(values[i]!), s, { requiresGrad: true }));
}

export function buildOptimizer(spec: OptimizerSpec, params: Tensor[]): Optimizer {
  const input = spec.groups ? spec.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) })) : params;
  const options = spec.options as never;
  switch (spec.type) {
    case 'SGD':
      return new SGD(input as never, options);
    case 'Adam':
      return new Adam(input as never, options);
    case 'AdamW':
      return new AdamW(input as never, options);
  }
}

export const LAMBDAS: Record<string, (e: number) => number> = {
  exp095: (e) => 0.95 ** e,
  warmup5: (e) => Math.min(1.0, (e + 1) / 5),
};

export type AnyScheduler = LRScheduler | SequentialLR | ReduceLROnPlateau;

export function buildScheduler(spec: SchedulerSpec, opt: Optimizer): AnyScheduler {
  const o = (spec.options ?? {}) as never;
  switch (spec.type) {
    case 'StepLR':
      return new StepLR(opt, o);
    case 'MultiStepLR':
      return new MultiStepLR(opt, o);
    case 'ExponentialLR':
      return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, o);
    case 'LinearLR':
      return new LinearLR(opt, o);
    case 'ConstantLR':
      return new ConstantLR(opt, o);
    case 'OneCycleLR':
      return new OneCycleLR(opt, o);
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(opt, o);
    case 'LambdaLR': {
      const l = spec.lambda!;
      return new LambdaLR(opt, { lrLambda: Array.isArray(l) ? l.map((n) => LAMBDAS[n]!) : LAMBDAS[l]! });
    }
    case 'SequentialLR': {
      const children = spec.schedulers!.map((c) => buildScheduler(c, opt) as LRScheduler);
      return new SequentialLR(opt, children, spec.milestones!);
    }
    default:
      throw new Error(`unknown scheduler ${spec.type}`);
  }
}

/** Distance in float32 ulps between two float32 values. */
export function ulpDiff(a: number, b: number): number {
  if (Object.is(a, b) || a === b) return 0;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat32(0, a);
  buf.setFloat32(4, b);
  const ia = buf.getInt32(0), ib = buf.getInt32(4);
  const ka = ia < 0 ? -2147483648 - ia : ia, kb = ib < 0 ? -2147483648 - ib : ib;
  return Math.abs(ka - kb);
}

/** Throws with case, step, index, expected and actual unless |got − want| <= atol + rtol·|want|. */
export function expectAllClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`${what}[${i}]: expected ${w}, got ${g} (|diff| ${Math.abs(g - w)} > ${atol} + ${rtol}·|expected|)`);
    }
  }
}
