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
 * The path is a template: `{key}` is replaced by a log value (`epoch`, `loss`, `valLoss`, metrics),
 * `{key:03d}` pads an integer, `{key:.4f}` fixes the decimals. Missing directories are created.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { OptionError, StorageError } from '../../errors.js';
import { save, writeFileAtomic } from '../../io/save.js';
import { show } from '../../nn/validate.js';
import type { EpochLogs } from '../history.js';
import { logValue } from '../logs.js';
import { type CallbackSpec, ModelCallback, type TrainLogs } from './callback.js';
import { type MonitorMode, callbackOptions, checkMonitor, checkMonitorAvailable, resolveMode, validationKeyHint } from './options.js';
import { registerCallbackType } from './registry.js';
import { checkBoolean } from '../../options.js';

/** Options of ModelCheckpoint (Keras' arguments, camelCase). */
export interface ModelCheckpointOptions {
  /** Where to save: a path template ending in .safetensors (see the file header). Required. */
  path: string;
  /** The log key that decides "best". Default 'valLoss'. */
  monitor?: string;
  /** 'min', 'max', or 'auto' (by the key). Default 'auto'. */
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

/** A path template's fields: `{key}`, `{key:0Nd}`, `{key:.Nf}`. */
const FIELD = /\{(\w+)(?::(0?\d*)d|:\.(\d+)f)?\}/g;

/** The path for these logs: `{key}`, `{key:0Nd}` and `{key:.Nf}` replaced by log values. */
export function formatCheckpointPath(template: string, logs: EpochLogs): string {
  return template.replace(FIELD, (whole, key: string, width: string | undefined, decimals: string | undefined) => {
    const v = logValue(logs, key);
    if (v === undefined) throw new OptionError(`${W}: the path template uses {${key}}, which this fit does not log (in ${JSON.stringify(template)})`);
    if (width !== undefined) return String(Math.round(v)).padStart(Number(width || 0), width.startsWith('0') ? '0' : ' ');
    if (decimals !== undefined) return v.toFixed(Number(decimals));
    return whole === `{${key}}` ? String(v) : whole;
  });
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
  /** The direction of improvement ('auto' resolved from the key). */
  readonly mode: 'min' | 'max';
  /** Whether only improvements are saved (otherwise every epoch). */
  readonly saveBestOnly: boolean;
  private readonly options: ModelCheckpointOptions;
  /** The best monitored value saved so far (±Infinity before any). */
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
    this.monitor = checkMonitor(W, o.monitor ?? 'valLoss');
    this.mode = resolveMode(W, o.mode ?? 'auto', this.monitor);
    this.saveBestOnly = checkBoolean(W, 'saveBestOnly', o.saveBestOnly ?? false);
    if (o.metadata !== undefined) checkMetadata(o.metadata);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.options = { ...o } as ModelCheckpointOptions;
  }

  override onTrainBegin(_logs: TrainLogs): void {
    const { logKeys } = this.context.params;
    if (this.saveBestOnly) checkMonitorAvailable(W, this.monitor, logKeys);
    // Every field of the path must be logged each epoch: said now, before a step, rather than when the
    // first epoch ends with nothing saved.
    for (const [, key] of this.path.matchAll(FIELD)) {
      if (key !== 'epoch' && !logKeys.includes(key!)) {
        throw new OptionError(`${W}: the path template uses {${key}}, which this fit does not log (in ${JSON.stringify(this.path)}); available: epoch, ${logKeys.join(', ')}${validationKeyHint(key!)}`);
      }
    }
  }

  override async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    if (this.saveBestOnly) {
      const current = logValue(logs, this.monitor);
      if (current === undefined || !Number.isFinite(current)) return;
      if (!(this.mode === 'min' ? current < this.best : current > this.best)) return;
      this.best = current;
    }
    const file = formatCheckpointPath(this.path, logs);
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
    return { best: this.best, saved: [...this.saved] };
  }

  override importState(s: Record<string, unknown>): void {
    if (typeof s.best === 'number') this.best = s.best;
    if (Array.isArray(s.saved)) this.saved = s.saved.map(String);
  }
}

registerCallbackType(W, ModelCheckpoint, (o) => new ModelCheckpoint(o as unknown as ModelCheckpointOptions));
