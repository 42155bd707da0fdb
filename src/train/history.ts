/**
 * History: what fit returns — one record per epoch (training and validation loss, every metric, the
 * learning rate of each parameter group, wall time, throughput), why training stopped, and what a
 * person reads off the curves: the best epoch of the monitored quantity and the epoch where
 * validation loss starts rising while training loss keeps falling (the onset of overfitting, by the
 * rule in divergence.ts). It serialises to plain JSON (non-finite numbers as the strings "NaN",
 * "Infinity", "-Infinity", as scheduler state dicts do, so a NaN loss survives the round trip) and
 * to CSV for spreadsheets. Series are aligned with `epochs`: index i is epochs[i], and an epoch that
 * lacks a quantity (no validation that epoch, a metric added later) reads NaN in values() and an
 * empty cell in the CSV.
 */
import { FormatError, OptionError } from '../errors.js';
import { checkOptions, show } from '../nn/validate.js';
import { dec, encodeFloat } from '../optim/lr-scheduler.js';
import { type DivergenceOptions, divergenceIndex, resolveDivergenceOptions } from './divergence.js';
import { LR_KEY, logValue } from './logs.js';
import { metricMode } from './metrics.js';
import { isObject } from '../options.js';

/** One epoch's record, as fit produces it (epoch numbers are 1-based: the count of epochs completed,
 *  initialEpoch included). */
export interface EpochLogs {
  /** The count of epochs completed, initialEpoch included (1 for the first epoch of a fresh run). */
  epoch: number;
  /** Mean training loss over the epoch (batch-size weighted). */
  loss: number;
  /** Validation loss, when there is validation data. */
  valLoss?: number;
  /** Training metrics ('rmse') and validation ones ('valRmse'). */
  metrics: Record<string, number>;
  /** Every param group's lr during the epoch's last batch. */
  lr: number[];
  /** Wall time of the epoch (training + validation), in seconds. */
  seconds: number;
  /** Training samples / training time. */
  samplesPerSecond: number;
}

/** Why training ended: every epoch ran; EarlyStopping stopped it; another callback did; the caller's
 *  AbortSignal did; a non-finite loss did (TerminateOnNaN); or an exception ended it (fit rejects, and
 *  the partial history goes with the error). */
export type StopReason = 'completed' | 'earlyStopping' | 'callback' | 'aborted' | 'nonFinite' | 'error';

export const STOP_REASONS: readonly StopReason[] = ['completed', 'earlyStopping', 'callback', 'aborted', 'nonFinite', 'error'];

/** Options of the History constructor. */
export interface HistoryOptions {
  /** The quantity bestEpoch ranks epochs by (a key of values()). Default: 'valLoss' when an epoch
   *  has a validation loss, else 'loss' (decided from the records each time it is read). */
  monitor?: string;
  /** How the divergence epoch is found (see divergence.ts). Default: DivergenceOptions' defaults. */
  divergence?: DivergenceOptions;
  /**
   * The direction of improvement of log keys, as the loss and metrics declare it (fit passes its
   * FitParams.modes: a custom metric's `mode` included), which bestEpoch ranks by. Keys not listed go by
   * metricMode (the registry, then the key's words). Default none.
   */
  modes?: Record<string, 'min' | 'max'>;
}

/** The JSON form of a History: plain data, JSON.stringify-able; History.fromJSON reads it back. */
export interface HistoryJSON {
  /** The epoch records; non-finite numbers are written as "NaN", "Infinity" or "-Infinity". */
  epochs: Record<string, unknown>[];
  /** Derived (recomputed by fromJSON). */
  bestEpoch: number | null;
  /** Derived (recomputed by fromJSON). */
  divergenceEpoch: number | null;
  /** Why training ended, or null while it runs. */
  stopped: StopReason | null;
  /** The key bestEpoch ranks by. */
  monitor: string;
  /** The divergence options in effect, every field filled in. */
  divergence: Required<DivergenceOptions>;
  /** The declared direction of log keys (HistoryOptions.modes); may be absent in JSON written before it existed. */
  modes?: Record<string, 'min' | 'max'>;
}

const LOG_KEYS = ['epoch', 'loss', 'valLoss', 'metrics', 'lr', 'seconds', 'samplesPerSecond'] as const;
/** Keys values() reads from the record itself; a metric may not take one of these names (nor lr, lr1, ...). */
const RESERVED = new Set(['epoch', 'loss', 'valLoss', 'seconds', 'samplesPerSecond']);
/** A validation metric: 'val' then a capital or digit ('valRmse', 'valTop5Accuracy'). */
const VAL_METRIC = /^val[A-Z0-9]/;
const JSON_KEYS = ['epochs', 'bestEpoch', 'divergenceEpoch', 'stopped', 'monitor', 'divergence', 'modes'] as const;

function checkMonitor(where: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw new OptionError(`${where}: monitor must be a non-empty string, got ${show(v)}`);
  return v;
}

/** A { key: 'min' | 'max' } record, copied. */
function checkModes(where: string, v: unknown): Record<string, 'min' | 'max'> {
  if (!isObject(v)) throw new OptionError(`${where}: modes must be an object of 'min' or 'max' by log key, got ${show(v)}`);
  const out: Record<string, 'min' | 'max'> = {};
  for (const [k, m] of Object.entries(v)) {
    if (m !== 'min' && m !== 'max') throw new OptionError(`${where}: modes.${k} must be 'min' or 'max', got ${show(m)}`);
    out[k] = m;
  }
  return out;
}

function checkStopped(where: string, v: unknown): StopReason | null {
  if (v !== null && !STOP_REASONS.includes(v as StopReason)) {
    throw new OptionError(`${where}: stopped must be null or one of ${STOP_REASONS.map((s) => `'${s}'`).join(', ')}, got ${show(v)}`);
  }
  return v as StopReason | null;
}

/** A number (NaN and ±Infinity allowed: a diverged loss is still a record). */
function anyNumber(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new OptionError(`${where}: ${name} must be a number, got ${show(v)}`);
  return v;
}

/** Training metrics sorted, then validation metrics sorted (UTF-16 code-unit order, locale-independent). */
function sortMetricNames(names: Iterable<string>): string[] {
  const all = [...names];
  const train = all.filter((k) => !VAL_METRIC.test(k)).sort();
  const val = all.filter((k) => VAL_METRIC.test(k)).sort();
  return [...train, ...val];
}

/** RFC 4180: a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** fit's record of a training run; see the file header. */
export class History {
  /** The epoch records, in order (deep copies of what record() was given). */
  readonly epochs: EpochLogs[] = [];
  /** The divergence options in effect (defaults filled in). */
  readonly divergenceOptions: Required<DivergenceOptions>;
  #stopped: StopReason | null = null;
  #monitor: string | undefined;
  readonly #modes: Record<string, 'min' | 'max'>;

  constructor(options?: HistoryOptions) {
    const where = 'History';
    const o = checkOptions(where, options, ['monitor', 'divergence', 'modes']);
    if (o.monitor !== undefined) this.#monitor = checkMonitor(where, o.monitor);
    this.divergenceOptions = resolveDivergenceOptions(`${where}: divergence`, o.divergence);
    this.#modes = o.modes === undefined ? {} : checkModes(where, o.modes);
  }

  /** The declared direction of log keys (HistoryOptions.modes), a copy. */
  get modes(): Record<string, 'min' | 'max'> {
    return { ...this.#modes };
  }

  /** Whether `key` is better small or large: as declared (a custom metric's `mode`), else metricMode(key). */
  modeOf(key: string): 'min' | 'max' {
    return Object.hasOwn(this.#modes, key) ? this.#modes[key]! : metricMode(key);
  }

  /** Why training ended; null while it runs. */
  get stopped(): StopReason | null {
    return this.#stopped;
  }

  /** Records why training ended (fit sets it; a reason from STOP_REASONS or null). */
  set stopped(v: StopReason | null) {
    this.#stopped = checkStopped('History', v);
  }

  /** The monitored quantity for bestEpoch: 'valLoss' when there is validation data, else 'loss'
   *  (unless set, in the constructor or here). */
  get monitor(): string {
    return this.#monitor ?? (this.epochs.some((e) => e.valLoss !== undefined) ? 'valLoss' : 'loss');
  }

  /** Sets the quantity bestEpoch ranks by (a key of values()). */
  set monitor(v: string) {
    this.#monitor = checkMonitor('History', v);
  }

  /** Appends a deep copy of one epoch's record, after checking it (epochs must increase). */
  record(logs: EpochLogs): void {
    this.epochs.push(this.#check('History.record', logs));
  }

  #check(where: string, logs: unknown): EpochLogs {
    if (!isObject(logs)) throw new OptionError(`${where}: logs must be an object, got ${show(logs)}`);
    for (const k of Object.keys(logs)) {
      if (!(LOG_KEYS as readonly string[]).includes(k)) throw new OptionError(`${where}: unknown key "${k}" in logs (known keys: ${LOG_KEYS.join(', ')})`);
    }
    const { epoch, loss, valLoss, metrics, lr, seconds, samplesPerSecond } = logs;
    if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 1) throw new OptionError(`${where}: epoch must be a positive integer, got ${show(epoch)}`);
    const last = this.epochs[this.epochs.length - 1];
    if (last !== undefined && epoch <= last.epoch) throw new OptionError(`${where}: epoch must be greater than the last recorded epoch (${last.epoch}), got ${epoch}`);
    anyNumber(where, 'loss', loss);
    if (valLoss !== undefined) anyNumber(where, 'valLoss', valLoss);
    if (!isObject(metrics)) throw new OptionError(`${where}: metrics must be an object of numbers, got ${show(metrics)}`);
    const metricsCopy: Record<string, number> = {};
    for (const [k, v] of Object.entries(metrics)) {
      if (k.length === 0 || RESERVED.has(k) || LR_KEY.test(k)) throw new OptionError(`${where}: ${show(k)} cannot name a metric (it is empty or a key History already has)`);
      metricsCopy[k] = anyNumber(where, `metrics.${k}`, v);
    }
    if (!Array.isArray(lr) || lr.length === 0) throw new OptionError(`${where}: lr must be a non-empty array (one learning rate per param group), got ${show(lr)}`);
    const lrCopy = lr.map((x: unknown, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new OptionError(`${where}: lr[${i}] must be a finite number >= 0, got ${show(x)}`);
      return x;
    });
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new OptionError(`${where}: seconds must be a finite number >= 0, got ${show(seconds)}`);
    if (typeof samplesPerSecond !== 'number' || !(samplesPerSecond >= 0)) throw new OptionError(`${where}: samplesPerSecond must be a number >= 0, got ${show(samplesPerSecond)}`);
    return {
      epoch,
      loss: loss as number,
      ...(valLoss !== undefined ? { valLoss: valLoss as number } : {}),
      metrics: metricsCopy,
      lr: lrCopy,
      seconds,
      samplesPerSecond,
    };
  }

  /** The keys values() accepts, in CSV column order: epoch, loss, valLoss (if any epoch has it), the
   *  metrics (training ones sorted, then validation ones sorted), lr, lr1, ... (one per param group),
   *  seconds, samplesPerSecond. */
  keys(): string[] {
    const metrics = new Set<string>();
    let groups = 1;
    for (const e of this.epochs) {
      for (const k of Object.keys(e.metrics)) metrics.add(k);
      groups = Math.max(groups, e.lr.length);
    }
    const lr = Array.from({ length: groups }, (_, k) => (k === 0 ? 'lr' : `lr${k}`));
    const hasVal = this.epochs.some((e) => e.valLoss !== undefined);
    return ['epoch', 'loss', ...(hasVal ? ['valLoss'] : []), ...sortMetricNames(metrics), ...lr, 'seconds', 'samplesPerSecond'];
  }

  /** The series of one quantity: 'loss', 'valLoss', a metric name ('rmse', 'valRmse'), 'lr' (group 0),
   *  'lr1'.. (group k), 'seconds', 'samplesPerSecond' (and 'epoch'). Entry i is epochs[i]; NaN where
   *  that epoch lacks the quantity. Throws naming the key and the keys available. */
  values(key: string): number[] {
    if (!this.keys().includes(key)) {
      throw new OptionError(`History.values: no quantity ${show(key)} in this history (available: ${this.keys().join(', ')})`);
    }
    return this.epochs.map((e) => logValue(e, key) ?? NaN);
  }

  /** Epoch number with the best monitored value, in the monitor's direction (modeOf: as the fit's loss
   *  or metric declares it, a custom metric's `mode` included; first of ties; NaN never best); null
   *  before any epoch. */
  get bestEpoch(): number | null {
    if (this.epochs.length === 0) return null;
    const key = this.monitor;
    const series = this.values(key);
    const sign = this.modeOf(key) === 'max' ? -1 : 1;
    let best = -1;
    for (let i = 0; i < series.length; i++) {
      const v = sign * series[i]!;
      if (!Number.isNaN(v) && (best < 0 || v < sign * series[best]!)) best = i;
    }
    return best < 0 ? null : this.epochs[best]!.epoch;
  }

  /** Epoch NUMBER (1-based, as in epochs[i].epoch) of the divergence onset from loss and valLoss via
   *  divergenceIndex; null without validation or when it never happens. Epochs without a finite loss
   *  and validation loss are left out of both curves. */
  get divergenceEpoch(): number | null {
    const used = this.epochs.filter((e) => Number.isFinite(e.loss) && e.valLoss !== undefined && Number.isFinite(e.valLoss));
    if (used.length === 0) return null;
    const i = divergenceIndex(
      used.map((e) => e.loss),
      used.map((e) => e.valLoss!),
      this.divergenceOptions,
    );
    return i === null ? null : used[i]!.epoch;
  }

  /** Plain data, JSON.stringify-able (see HistoryJSON). */
  toJSON(): HistoryJSON {
    const epochs = this.epochs.map((e) => {
      const out: Record<string, unknown> = { epoch: e.epoch, loss: encodeFloat(e.loss) };
      if (e.valLoss !== undefined) out.valLoss = encodeFloat(e.valLoss);
      out.metrics = Object.fromEntries(Object.entries(e.metrics).map(([k, v]) => [k, encodeFloat(v)]));
      out.lr = [...e.lr];
      out.seconds = e.seconds;
      out.samplesPerSecond = encodeFloat(e.samplesPerSecond);
      return out;
    });
    return {
      epochs,
      bestEpoch: this.bestEpoch,
      divergenceEpoch: this.divergenceEpoch,
      stopped: this.stopped,
      monitor: this.monitor,
      divergence: { ...this.divergenceOptions },
      modes: this.modes,
    };
  }

  /** Reads toJSON()'s output (or its JSON.parse) back; every record is checked as record() does.
   *  bestEpoch and divergenceEpoch are derived, so they are recomputed, not read. */
  static fromJSON(json: unknown): History {
    const where = 'History.fromJSON';
    if (!isObject(json)) throw new FormatError(`${where}: expected the object History.toJSON() returns, got ${show(json)}`);
    for (const k of Object.keys(json)) {
      if (!(JSON_KEYS as readonly string[]).includes(k)) throw new FormatError(`${where}: unknown key "${k}" (known keys: ${JSON_KEYS.join(', ')})`);
    }
    if (!Array.isArray(json.epochs)) throw new FormatError(`${where}: epochs must be an array, got ${show(json.epochs)}`);
    try {
      const h = new History({
        ...(json.monitor !== undefined ? { monitor: checkMonitor(where, json.monitor) } : {}),
        divergence: resolveDivergenceOptions(`${where}: divergence`, json.divergence as DivergenceOptions | undefined),
        ...(json.modes !== undefined ? { modes: checkModes(where, json.modes) } : {}),
      });
      json.epochs.forEach((raw: unknown, i) => {
        const at = `${where}: epochs[${i}]`;
        if (!isObject(raw)) throw new FormatError(`${at} must be an object, got ${show(raw)}`);
        const decoded: Record<string, unknown> = { ...raw };
        for (const k of ['loss', 'valLoss', 'samplesPerSecond'] as const) {
          if (raw[k] !== undefined) decoded[k] = dec.float()(raw[k], `${at}.${k}`);
        }
        if (isObject(raw.metrics)) {
          decoded.metrics = Object.fromEntries(Object.entries(raw.metrics).map(([k, v]) => [k, dec.float()(v, `${at}.metrics.${k}`)]));
        }
        h.epochs.push(h.#check(at, decoded));
      });
      h.stopped = checkStopped(where, json.stopped ?? null);
      return h;
    } catch (e) {
      // The checks are record()'s and the constructor's (OptionError); in a JSON document they mean a malformed file.
      throw e instanceof OptionError ? new FormatError(e.message, { cause: e }) : e;
    }
  }

  /** One header row then one row per epoch: epoch, loss, valLoss (if any), each metric (sorted: training
   *  ones then val ones), lr (lr, lr1, ...), seconds, samplesPerSecond. RFC 4180 quoting for headers;
   *  numbers with full precision (String(n)); missing values empty. Rows end with "\n" (the last too). */
  toCSV(): string {
    const keys = this.keys();
    const rows = [keys.map(csvField).join(',')];
    for (const e of this.epochs) {
      rows.push(
        keys
          .map((k) => {
            const v = logValue(e, k);
            return v === undefined ? '' : String(v);
          })
          .join(','),
      );
    }
    return rows.map((r) => `${r}\n`).join('');
  }
}
