/**
 * check: the pitfall guard. It looks at a model's layers in the order they run and reports the
 * mistakes the regularisation literature warns about, each as a Finding with a stable code, a
 * message naming the modules and a fix; `fit` calls it once at the start of training and prints the
 * findings as warnings (warnFindings), and users can call it directly. The rules:
 *
 *   1. dropout-before-batchnorm — a Dropout/Dropout1d with p > 0 whose output reaches a BatchNorm1d
 *      (one that keeps running statistics) with no Conv1d or Linear in between. BatchNorm's running
 *      variance is then learned on dropped-out activations, and at inference (dropout off) the
 *      variance it divides by is wrong: the "variance shift" of Li, Chen, Hu & Yang, "Understanding
 *      the Disharmony between Dropout and Batch Normalization by Variance Shift" (CVPR 2019). A
 *      BatchNorm1d without running statistics normalises with the batch's own statistics at
 *      inference too, so it has no running variance to shift and is not flagged. A Conv1d or Linear
 *      in between mixes the dropped units into new ones (Dropout → Conv1d → BatchNorm1d, the
 *      conv1dBackbone's block boundary, is fine).
 *   2. bias-before-batchnorm — a Conv1d/Linear with a bias that feeds a BatchNorm1d directly, or
 *      through Dropout, Dropout1d or Flatten only. BatchNorm subtracts the per-channel mean, and a
 *      per-channel constant stays one through a reshape, so the bias cancels: it has no effect and
 *      its gradient is zero up to rounding (BatchNorm's shift β does the bias's job; Ioffe &
 *      Szegedy 2015, §3.2). Through Dropout it cancels exactly in eval, and in training it survives
 *      only as noise from the dropout mask — still not a bias.
 *   3. batchnorm-after-activation — Conv1d/Linear → activation (ReLU, LeakyReLU, GELU) →
 *      BatchNorm1d, with only Dropout, Dropout1d, Flatten or pooling layers in between. The recipe
 *      (Ioffe & Szegedy, "Batch Normalization", ICML 2015, §3.2; keel's conv1dBackbone) normalises
 *      the pre-activation: Conv1d/Linear → BatchNorm1d → activation. Informational (BatchNorm after
 *      the activation also trains), but a finding: the defaults were tuned for the recipe.
 *   4. dropout-rate — a Dropout rate outside the usual range for its layer type: convolutional
 *      0.1–0.3, dense 0.3–0.5 (both ends included). Dense: Srivastava et al., "Dropout" (JMLR 2014)
 *      use p = 0.5 for hidden units; much more starves the layer, much less barely regularises.
 *      Convolutional: neighbouring activations of a feature map are correlated, so dropping single
 *      elements removes less information (Tompson et al. 2015, who introduced channel dropout for
 *      that reason) and the rates in use are lower (conv1dBackbone: 0.15). The type is the rank of
 *      the input the Dropout received in the example forward (3-D (N, C, L): convolutional, 2-D
 *      (N, features): dense); without an input, the nearest preceding layer that decides it
 *      (Conv1d or a pool: convolutional; Linear or Flatten: dense; BatchNorm1d, activations and
 *      other layers pass the type through), else the nearest following one (Conv1d, a pool or
 *      Flatten: convolutional; Linear: dense), else no finding. Dropout1d (channel dropout) always
 *      uses the convolutional range. p = 0 is the identity and is never flagged.
 *   5. batchnorm-small-batch — the model has a BatchNorm1d (it normalises with batch statistics in
 *      training) and the batch size is < 8: the mean and variance of so few samples are noisy
 *      estimates, which hurts training and makes the running statistics used at inference differ
 *      from what the network trained with (Ioffe & Szegedy 2015; Wu & He, "Group Normalization",
 *      ECCV 2018, whose Fig. 1 shows BatchNorm's ImageNet error climbing as the batch shrinks from 8 to 4 to 2). The batch
 *      size is options.batchSize when given, else the input's first dimension; with neither the
 *      rule is skipped. One finding names every BatchNorm1d.
 *
 * The order layers run in: the leaves of the module tree walked as they run — a Sequential's
 * children in order, recursively; for any other module its children in registration order, which is
 * an approximation (a custom forward may call them in another order, skip some or call one twice).
 * The rules read that walk as a chain, each leaf feeding the next (branches and residual sums are
 * not seen). When an example input is given, check also runs one forward on it — the model in eval
 * mode under noGrad, Sequential's fusion off (so each layer's own forward runs), every module's
 * forward wrapped to record the leaves in the order they actually run and the rank of the input
 * each receives — and that recorded order replaces the walk, which makes it exact for custom
 * modules too. Everything is restored afterwards, even when the forward throws: each module's own
 * training flag, its forward, the fusion switch. In eval BatchNorm does not touch its running
 * statistics or num_batches_tracked and Dropout draws no random numbers, so check changes nothing
 * in the model, nor the global generator.
 */
import { BackendError, DataError, FormatError, NonFiniteError, OptionError, ShapeError, StateError } from '../errors.js';
import { checkOptions, checkTensor, positiveInt, show } from '../functional/validate.js';
import { AdaptiveAvgPool1d } from '../nn/adaptive-avgpool1d.js';
import { AvgPool1d } from '../nn/avgpool1d.js';
import { BatchNorm1d } from '../nn/batchnorm1d.js';
import { Conv1d } from '../nn/conv1d.js';
import { Dropout } from '../nn/dropout.js';
import { Dropout1d } from '../nn/dropout1d.js';
import { Flatten } from '../nn/flatten.js';
import { GELU } from '../nn/gelu.js';
import { LeakyReLU } from '../nn/leaky-relu.js';
import { Linear } from '../nn/linear.js';
import { MaxPool1d } from '../nn/maxpool1d.js';
import { Module } from '../nn/module.js';
import { ReLU } from '../nn/relu.js';
import { Sequential, fusionEnabled, setFusion } from '../nn/sequential.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad } from '../tensor/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';

/** The stable identifiers of the findings (never reworded). */
export type FindingCode =
  | 'dropout-before-batchnorm'
  | 'bias-before-batchnorm'
  | 'batchnorm-after-activation'
  | 'dropout-rate'
  | 'batchnorm-small-batch';

/** One problem check() found in a model's architecture. */
export interface Finding {
  /** Stable identifier, never reworded: 'dropout-before-batchnorm' | 'bias-before-batchnorm' |
   *  'batchnorm-after-activation' | 'dropout-rate' | 'batchnorm-small-batch'. */
  code: FindingCode;
  /** The module(s) concerned, by their dotted names in the model ('3', 'features.2'); '' for the root. */
  modules: string[];
  /** What is wrong and why it matters, naming the modules. */
  message: string;
  /** What to do instead. */
  fix: string;
}

/** Options of check (and of fit's `checks`). */
export interface CheckOptions {
  /**
   * An example input batch (N, …): lets check see the batch size and each layer's input rank (conv
   * vs dense), and run the layers in their true order. Default: none (the walk of the module tree).
   */
  input?: Tensor;
  /**
   * The training batch size (fit passes its batchSize). When given it is the batch size rule 5
   * checks, with or without an input; otherwise the input's first dimension is. Default: none.
   */
  batchSize?: number;
}

const OPTIONS = ['input', 'batchSize'] as const;

/** Rule 5's threshold: batch statistics of fewer samples than this are too noisy. */
const MIN_BATCH = 8;
/** Rule 4's usual ranges (inclusive). */
const RANGES = { conv: [0.1, 0.3], dense: [0.3, 0.5] } as const;

/** One leaf as it runs: its dotted name, the module, and the rank of its input (null when not recorded). */
interface Step {
  name: string;
  module: Module;
  rank: number | null;
}

/** How a module is named in a message: `Dropout(p=0.5) at "2"`, or `… (the root module)`. */
function at(step: Step): string {
  return `${step.module.describe()} ${step.name === '' ? '(the root module)' : `at "${step.name}"`}`;
}

const isDropout = (m: Module): m is Dropout | Dropout1d => m instanceof Dropout || m instanceof Dropout1d;
const isWeighted = (m: Module): m is Conv1d | Linear => m instanceof Conv1d || m instanceof Linear;
const isActivation = (m: Module) => m instanceof ReLU || m instanceof LeakyReLU || m instanceof GELU;
const isPool = (m: Module) => m instanceof MaxPool1d || m instanceof AvgPool1d || m instanceof AdaptiveAvgPool1d;
/** Layers a per-channel constant passes through as a per-channel (or per-feature) constant: rule 2. */
const passesBias = (m: Module) => isDropout(m) || m instanceof Flatten;
/** Layers that neither mix channels nor normalise, between the pieces of rule 3. */
const passesShape = (m: Module) => passesBias(m) || isPool(m);

/**
 * The leaves in the order they run, without running anything: a Sequential's children in order
 * (its forward's order), any other module's children in registration order (an approximation).
 */
function staticWalk(m: Module, name: string, out: Step[]): Step[] {
  const kids = m instanceof Sequential ? [...m].map((c, i) => [String(i), c] as const) : m.namedChildren();
  if (kids.length === 0) out.push({ name, module: m, rank: null });
  for (const [k, c] of kids) staticWalk(c, name ? `${name}.${k}` : k, out);
  return out;
}

/** The classes a failed forward is rethrown as (the first the error is an instance of). */
const RETHROWN = [ShapeError, OptionError, DataError, StateError, NonFiniteError, FormatError, BackendError, RangeError, TypeError];

/**
 * The leaves in the order one eval-mode, no-grad forward on `input` runs them, with the rank of the
 * input each received. Every module's forward is wrapped (an own property shadowing the class's
 * method) for the call; the wrappers, the training flags and the fusion switch are restored in
 * `finally`. A forward that throws is rethrown naming the innermost module it failed in.
 */
function recordedWalk(model: Module, input: Tensor): Step[] {
  const names = new Map<Module, string>(); // a module registered twice keeps its first name
  for (const [n, m] of model.namedModules()) if (!names.has(m)) names.set(m, n);
  const steps: Step[] = [];
  const failed: { in: Module | null } = { in: null };
  const saved: Array<{ m: Module; own: boolean; forward: Module['forward']; training: boolean }> = [];
  const fusion = fusionEnabled();
  try {
    for (const [m, name] of names) {
      const own = Object.hasOwn(m, 'forward'), original = m.forward, leaf = m.children().length === 0;
      saved.push({ m, own, forward: original, training: m.training });
      m.forward = (...inputs: Tensor[]): Tensor => {
        if (leaf) steps.push({ name, module: m, rank: inputs[0] instanceof Tensor ? inputs[0].ndim : null });
        try {
          return original.apply(m, inputs);
        } catch (e) {
          failed.in ??= m; // the innermost module's wrapper catches first
          throw e;
        }
      };
    }
    model.eval();
    setFusion(false);
    noGrad(() => model.forward(input));
  } catch (e) {
    const where = failed.in ? at({ name: names.get(failed.in)!, module: failed.in, rank: null }) : model.describe();
    const why = e instanceof Error ? e.message : String(e);
    // The same class as the layer threw (a ShapeError stays one); an error keel did not raise stays an Error.
    const Kind = RETHROWN.find((c) => e instanceof c) ?? Error;
    throw new Kind(`check: the forward on the example input ${formatShape(input.shape)} failed in ${where}: ${why}`, { cause: e });
  } finally {
    setFusion(fusion);
    for (const { m, own, forward, training } of saved) {
      if (own) m.forward = forward;
      else delete (m as Partial<Pick<Module, 'forward'>>).forward;
      m.training = training;
    }
  }
  return steps;
}

// Rule 1: Dropout (p > 0) → … → BatchNorm1d with running statistics, no Conv1d/Linear in between.
function dropoutBeforeBatchNorm(walk: Step[]): Finding[] {
  const out: Finding[] = [];
  walk.forEach((d, i) => {
    if (!isDropout(d.module) || d.module.p === 0) return;
    for (const s of walk.slice(i + 1)) {
      if (isWeighted(s.module)) return;
      if (!(s.module instanceof BatchNorm1d)) continue;
      if (!s.module.trackRunningStats) return; // batch statistics at inference too: nothing to shift
      out.push({
        code: 'dropout-before-batchnorm',
        modules: [d.name, s.name],
        message: `${at(d)} feeds ${at(s)} with no Conv1d or Linear in between: BatchNorm's running variance is ` +
          'learned on dropped-out activations, so at inference, with dropout off, it normalises by the wrong ' +
          'variance (the "variance shift", Li et al. 2019) and the outputs drift from what the network trained on.',
        fix: `Move the dropout after the normalisation (Conv1d/Linear → BatchNorm1d → activation → Dropout, ` +
          'as conv1dBackbone does), or let it act just before the next Conv1d/Linear.',
      });
      return;
    }
  });
  return out;
}

// Rule 2: Conv1d/Linear with bias → (Dropout | Dropout1d | Flatten)* → BatchNorm1d.
function biasBeforeBatchNorm(walk: Step[]): Finding[] {
  const out: Finding[] = [];
  walk.forEach((w, i) => {
    if (!isWeighted(w.module) || w.module.bias === null) return;
    const between: Step[] = [];
    for (const s of walk.slice(i + 1)) {
      if (passesBias(s.module)) {
        between.push(s);
        continue;
      }
      if (!(s.module instanceof BatchNorm1d)) return;
      const dropped = between.filter((b) => isDropout(b.module));
      const via = between.length ? ` (through ${between.map(at).join(', ')})` : '';
      out.push({
        code: 'bias-before-batchnorm',
        modules: [w.name, s.name],
        message: `${at(w)} has a bias and feeds ${at(s)}${via}: BatchNorm subtracts the per-channel mean, so the bias ` +
          (dropped.length
            ? 'cancels exactly in eval and in training survives only as noise from the dropout mask — it does not act as a bias'
            : 'cancels — it has no effect on the output and its gradient is zero up to rounding') +
          " (BatchNorm's own shift β does that job).",
        fix: `Construct ${w.module.describe()} with { bias: false }; BatchNorm1d's β provides the shift.`,
      });
      return;
    }
  });
  return out;
}

// Rule 3: Conv1d/Linear → (pass)* → ReLU | LeakyReLU | GELU → (pass)* → BatchNorm1d.
function batchNormAfterActivation(walk: Step[]): Finding[] {
  const out: Finding[] = [];
  walk.forEach((bn, i) => {
    if (!(bn.module instanceof BatchNorm1d)) return;
    let j = i - 1;
    while (j >= 0 && passesShape(walk[j]!.module)) j--;
    const act = walk[j];
    if (!act || !isActivation(act.module)) return;
    j--;
    while (j >= 0 && passesShape(walk[j]!.module)) j--;
    const w = walk[j];
    if (!w || !isWeighted(w.module)) return;
    out.push({
      code: 'batchnorm-after-activation',
      modules: [w.name, act.name, bn.name],
      message: `${at(bn)} normalises the output of ${at(act)} (after ${at(w)}), where the recipe (Ioffe & Szegedy ` +
        '2015; conv1dBackbone) normalises the pre-activation. Informational: it trains, but the usual ' +
        'learning rates, dropout rates and initialisation were tuned for the recipe.',
      fix: `Reorder to ${w.module.describe()} → ${bn.module.describe()} → ${act.module.describe()}` +
        (w.module.bias ? `, and build ${w.module.describe()} with { bias: false } (BatchNorm's β then provides the shift).` : '.'),
    });
  });
  return out;
}

/** Rule 4's layer type of the dropout at walk[i], and the evidence, or null when nothing decides it. */
function dropoutKind(walk: Step[], i: number): { kind: 'conv' | 'dense'; why: string } | null {
  const d = walk[i]!;
  if (d.module instanceof Dropout1d) return { kind: 'conv', why: 'it drops whole channels' };
  if (d.rank === 3) return { kind: 'conv', why: 'its input is 3-D (N, C, L)' };
  if (d.rank === 2) return { kind: 'dense', why: 'its input is 2-D (N, features)' };
  for (let j = i - 1; j >= 0; j--) {
    const s = walk[j]!;
    if (s.module instanceof Conv1d || isPool(s.module)) return { kind: 'conv', why: `it follows ${at(s)}` };
    if (s.module instanceof Linear || s.module instanceof Flatten) return { kind: 'dense', why: `it follows ${at(s)}` };
  }
  for (const s of walk.slice(i + 1)) {
    if (s.module instanceof Conv1d || isPool(s.module) || s.module instanceof Flatten) return { kind: 'conv', why: `it comes before ${at(s)}` };
    if (s.module instanceof Linear) return { kind: 'dense', why: `it comes before ${at(s)}` };
  }
  return null;
}

// Rule 4: p outside [0.1, 0.3] (convolutional) or [0.3, 0.5] (dense); p = 0 is the identity.
function dropoutRate(walk: Step[]): Finding[] {
  const out: Finding[] = [];
  walk.forEach((d, i) => {
    if (!isDropout(d.module) || d.module.p === 0) return;
    const k = dropoutKind(walk, i);
    if (!k) return;
    const [lo, hi] = RANGES[k.kind], p = d.module.p;
    if (p >= lo && p <= hi) return;
    const type = k.kind === 'conv' ? 'convolutional' : 'dense';
    out.push({
      code: 'dropout-rate',
      modules: [d.name],
      message: `${at(d)} is a ${type} dropout (${k.why}) with p = ${p}, outside the usual ${lo}–${hi} for ${type} layers: ` +
        (p > hi ? 'so high a rate starves the next layer and slows or stalls training.' : 'so low a rate barely regularises.') +
        (k.kind === 'conv' ? ' Neighbouring activations of a feature map are correlated, so convolutional layers use lower rates than dense ones.' : ''),
      fix: `Use p between ${lo} and ${hi} (${k.kind === 'conv' ? 'conv1dBackbone uses 0.15' : 'Srivastava et al. 2014 use 0.5 for hidden units'}), ` +
        'or p = 0 to turn it off.',
    });
  });
  return out;
}

// Rule 5: a BatchNorm1d and a batch size < 8.
function batchNormSmallBatch(walk: Step[], batchSize: number | null, source: string): Finding[] {
  if (batchSize === null || batchSize >= MIN_BATCH) return [];
  const bns = walk.filter((s) => s.module instanceof BatchNorm1d);
  const unique = bns.filter((s, i) => bns.findIndex((t) => t.module === s.module) === i);
  if (unique.length === 0) return [];
  return [{
    code: 'batchnorm-small-batch',
    modules: unique.map((s) => s.name),
    message: `${unique.map(at).join(', ')} normalise${unique.length === 1 ? 's' : ''} with batch statistics in training, ` +
      `and the batch size is ${batchSize} (${source}), below ${MIN_BATCH}: the mean and variance of so few samples are ` +
      'noisy, which hurts training and makes the running statistics used at inference differ from what the ' +
      'network trained with (Ioffe & Szegedy 2015; Wu & He 2018).',
    fix: `Train with batches of at least ${MIN_BATCH} samples (32 or more is usual), or use a batch-independent ` +
      'normaliser such as LayerNorm.',
  }];
}

/**
 * Checks a model for the regularisation pitfalls in this file's header and returns one Finding per
 * problem (rules in order, each in the order the layers run); [] when there is none. With
 * `options.input`, one eval-mode forward runs on it (see the header); nothing in the model changes.
 */
export function check(model: Module, options?: CheckOptions): Finding[] {
  const C = 'check';
  if (!(model instanceof Module)) throw new OptionError(`${C}: model must be a Module, got ${show(model)}`);
  const o = checkOptions(C, options, OPTIONS);
  const input = o.input === undefined ? null : checkTensor(C, 'input', o.input);
  if (input && (input.ndim < 2 || input.shape[0]! < 1)) {
    throw new ShapeError(`${C}: input must be a batch of at least one sample with at least 2 dimensions ((N, features) or (N, C, L)), got ${formatShape(input.shape)}`);
  }
  const batchSize = o.batchSize === undefined ? null : positiveInt(C, 'batchSize', o.batchSize);

  const walk = input ? recordedWalk(model, input) : staticWalk(model, '', []);
  const size = batchSize ?? input?.shape[0] ?? null;
  const source = batchSize !== null ? 'options.batchSize' : `the first dimension of the input ${formatShape(input?.shape ?? [])}`;
  const findings = [
    ...dropoutBeforeBatchNorm(walk),
    ...biasBeforeBatchNorm(walk),
    ...batchNormAfterActivation(walk),
    ...dropoutRate(walk),
    ...batchNormSmallBatch(walk, size, source),
  ];
  // A module that runs twice (shared, or called twice by a custom forward) is reported once.
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code} ${JSON.stringify(f.modules)}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** process.emitWarning's code for a finding: `KEEL_` + the code in upper snake case. */
export function warningCode(code: string): string {
  return `KEEL_${code.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Emits one process warning per finding (process.emitWarning, code `KEEL_${code upper-snake}`, e.g.
 * KEEL_DROPOUT_BEFORE_BATCHNORM), the text being the message + ' Fix: ' + the fix.
 */
export function warnFindings(findings: readonly Finding[]): void {
  const W = 'warnFindings';
  if (!Array.isArray(findings)) throw new OptionError(`${W}: findings must be an array of Finding, got ${show(findings)}`);
  findings.forEach((f: unknown, i) => {
    const ok = typeof f === 'object' && f !== null && ['code', 'message', 'fix'].every((k) => typeof (f as Record<string, unknown>)[k] === 'string');
    if (!ok) throw new OptionError(`${W}: findings[${i}] must be a Finding with string code, message and fix, got ${show(f)}`);
  });
  for (const f of findings) process.emitWarning(`${f.message} Fix: ${f.fix}`, { code: warningCode(f.code) });
}
