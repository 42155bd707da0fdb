/**
 * ModelCheckpoint: saves the model during training — every epoch, or only when the monitored quantity
 * improves (Keras' ModelCheckpoint). Each save writes two files atomically (write to a temporary file,
 * fsync, rename; src/io/save.ts): the weights as safetensors (PyTorch's keys, loadable by
 * `load` or by PyTorch) with the epoch and the logs in its metadata, and the architecture as JSON beside
 * it (`model.toJSON()`, rebuilt with `nn.fromJSON`):
 *
 *   new ModelCheckpoint({ path: 'ckpt/model-{epoch:03d}-{valLoss:.4f}.safetensors', saveBestOnly: true })
 *   → ckpt/model-012-0.0153.safetensors and ckpt/model-012-0.0153.json
 *
 * The path is a template of Python format fields: `{key}` is replaced by a log value (`epoch`, `loss`,
 * `valLoss`, metrics), `{key:spec}` formats it as Python's format(value, spec) does — `{epoch:03d}`,
 * `{epoch:>3}`, `{valLoss:.4f}`, `{valLoss:.3e}`, `{valLoss:.4g}` (./path-template.ts has the grammar). A
 * field it cannot format is refused at construction, one the fit does not log at the start of training.
 * Missing directories are created.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { OptionError, StorageError } from '../../errors.js';
import { save, writeFileAtomic } from '../../io/save.js';
import { show } from '../../nn/validate.js';
import type { EpochLogs } from '../history.js';
import { logValue } from '../logs.js';
import { type CallbackBackup, type CallbackSpec, ModelCallback, type TrainLogs } from './callback.js';
import { type MonitorMode, callbackOptions, checkMonitor, checkMonitorAvailable, checkMonitorMode, monitorDirection, validationKeyHint } from './options.js';
import { registerCallbackType } from './registry.js';
import { checkBoolean } from '../../options.js';
import { type TemplatePart, parseTemplate, renderTemplate } from './path-template.js';

/** Options of ModelCheckpoint (Keras' arguments, camelCase). */
export interface ModelCheckpointOptions {
  /** Where to save: a path template ending in .safetensors (see the file header). Required. */
  path: string;
  /** The log key that decides "best". Default 'valLoss'. */
  monitor?: string;
  /** 'min', 'max', or 'auto' (as the fit's loss or metric that logs the key declares; see EarlyStopping's). Default 'auto'. */
  mode?: MonitorMode;
  /** Save only when the monitored value improves on the best so far. Default false (every epoch). */
  saveBestOnly?: boolean;
  /**
   * More string metadata for every file, e.g. `{ scaler: JSON.stringify(scaler) }` so the weights carry
   * the preprocessing they expect (read back with loadWithMetadata). On a clash, the keys written from
   * the logs (format, epoch, loss, valLoss, metrics) win. Default none.
   */
  metadata?: Record<string, string>;
}

const W = 'ModelCheckpoint';

/**
 * The path for these logs: each field of the template (`{key}`, `{key:spec}`; see the file header)
 * replaced by its log value, formatted as Python would. Throws naming a field it cannot format or a
 * key the logs lack.
 */
export function formatCheckpointPath(template: string, logs: EpochLogs): string {
  return renderFields(template, parseTemplate(W, template), logs);
}

function renderFields(template: string, parts: readonly TemplatePart[], logs: EpochLogs): string {
  return renderTemplate(parts, (key) => {
    const v = logValue(logs, key);
    if (v === undefined) throw new OptionError(`${W}: the path template uses {${key}}, which this fit does not log (in ${JSON.stringify(template)})`);
    return v;
  });
}

/** The value every monitored value improves on. */
function worst(direction: 'min' | 'max'): number {
  return direction === 'min' ? Infinity : -Infinity;
}

function checkMetadata(m: unknown): void {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new OptionError(`${W}: metadata must be an object of strings, got ${show(m)}`);
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw new OptionError(`${W}: metadata.${k} must be a string, got ${show(v)}`);
  }
}

/** Saves the model during fit, every epoch or only on improvement (Keras' ModelCheckpoint): weights as safetensors with PyTorch's keys plus the architecture JSON beside them, each written atomically. */
export class ModelCheckpoint extends ModelCallback {
  /** The weights' path template, e.g. 'ckpt/model-{epoch:03d}-{valLoss:.4f}.safetensors'. */
  readonly path: string;
  /** The log key that decides "best", e.g. 'valLoss'. */
  readonly monitor: string;
  /** Whether only improvements are saved (otherwise every epoch). */
  readonly saveBestOnly: boolean;
  private readonly options: ModelCheckpointOptions;
  /** The path template, parsed (its fields checked) at construction. */
  readonly #template: TemplatePart[];
  readonly #modeOption: MonitorMode;
  /** The direction in use (saveBestOnly): as given, or resolved at the start of each fit. */
  #direction: 'min' | 'max' | null = null;
  /** The best monitored value saved so far (±Infinity before any; NaN with mode 'auto' until a fit resolves it). */
  best: number;
  /** Files written, in order (the .safetensors paths). */
  saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    super();
    // Keras takes the path first: say what keel takes instead of only "options must be an object".
    if (typeof options === 'string') throw new OptionError(`${W}: takes an options object, { path: ${JSON.stringify(options)} }, got the string ${JSON.stringify(options)}`);
    const o = callbackOptions(W, options, ['path', 'monitor', 'mode', 'saveBestOnly', 'metadata']);
    if (typeof o.path !== 'string' || !o.path.endsWith('.safetensors')) {
      throw new OptionError(`${W}: path must be a file path ending in .safetensors, got ${show(o.path)}`);
    }
    this.path = o.path;
    this.#template = parseTemplate(W, o.path);
    this.monitor = checkMonitor(W, o.monitor ?? 'valLoss');
    this.#modeOption = checkMonitorMode(W, o.mode ?? 'auto');
    if (this.#modeOption !== 'auto') this.#direction = this.#modeOption;
    this.saveBestOnly = checkBoolean(W, 'saveBestOnly', o.saveBestOnly ?? false);
    if (o.metadata !== undefined) checkMetadata(o.metadata);
    this.best = this.#direction === null ? NaN : worst(this.#direction);
    this.options = { ...o } as ModelCheckpointOptions;
  }

  /**
   * The direction of improvement: 'min' or 'max' as given; with 'auto', the direction the last fit with
   * saveBestOnly resolved from its loss and metrics, and 'auto' before that.
   */
  get mode(): MonitorMode {
    return this.#direction ?? this.#modeOption;
  }

  override onTrainBegin(_logs: TrainLogs): void {
    const { logKeys } = this.context.params;
    if (this.saveBestOnly) {
      checkMonitorAvailable(W, this.monitor, logKeys);
      this.#direction = monitorDirection(W, this.#modeOption, this.monitor, this.context.params);
      // The best so far carries over between fits (a resumed run saves only what beats it).
      if (Number.isNaN(this.best)) this.best = worst(this.#direction);
    }
    // Every field of the path must be logged each epoch: said now, before a step, rather than when the
    // first epoch ends with nothing saved.
    for (const part of this.#template) {
      if (typeof part === 'string' || part.key === 'epoch' || logKeys.includes(part.key)) continue;
      throw new OptionError(`${W}: the path template uses {${part.key}}, which this fit does not log (in ${JSON.stringify(this.path)}); available: epoch, ${logKeys.join(', ')}${validationKeyHint(part.key)}`);
    }
  }

  override async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    if (this.saveBestOnly) {
      const current = logValue(logs, this.monitor);
      if (current === undefined || !Number.isFinite(current)) return;
      if (!(this.mode === 'min' ? current < this.best : current > this.best)) return;
      this.best = current;
    }
    const file = renderFields(this.path, this.#template, logs);
    const metadata: Record<string, string> = { ...this.options.metadata, format: 'pt', epoch: String(logs.epoch), loss: String(logs.loss) };
    if (logs.valLoss !== undefined) metadata.valLoss = String(logs.valLoss);
    for (const [k, v] of Object.entries(logs.metrics)) metadata[k] = String(v);
    try {
      await mkdir(dirname(file), { recursive: true });
    } catch (e) {
      throw new StorageError(`${W}: cannot create the folder of ${file} (${(e as Error).message})`, file, e);
    }
    await save(file, this.context.model.stateDict(), { metadata });
    const json = `${file.slice(0, -extname(file).length)}.json`;
    await writeFileAtomic(json, new TextEncoder().encode(`${JSON.stringify(this.context.model.toJSON(), null, 2)}\n`));
    this.saved.push(file);
  }

  override toSpec(): CallbackSpec {
    return { type: W, options: { ...this.options }, state: this.exportState() };
  }

  override exportState(): Record<string, unknown> {
    return { best: this.best, saved: [...this.saved], mode: this.#direction };
  }

  override backupState(): CallbackBackup {
    return { values: this.exportState() };
  }

  override restoreBackup(s: CallbackBackup): void {
    this.importState(s.values);
  }

  override importState(s: Record<string, unknown>): void {
    if (typeof s.best === 'number') this.best = s.best;
    if (Array.isArray(s.saved)) this.saved = s.saved.map(String);
    // The direction a worker's copy resolved at the start of its fit.
    if (s.mode === 'min' || s.mode === 'max') this.#direction = s.mode;
  }
}

registerCallbackType(W, ModelCheckpoint, (o) => new ModelCheckpoint(o as unknown as ModelCheckpointOptions));
