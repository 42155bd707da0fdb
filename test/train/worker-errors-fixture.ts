/**
 * A user module type for worker-errors.test.ts. FaultyLayer's forward throws the error named by its
 * `throws` option (its toJSON carries it, so the worker's copy throws the same): every class of
 * src/errors.ts, the subclasses declared elsewhere in keel (CsvError, IdxError, SafetensorsError,
 * DatasetNotFoundError, UsageError) and SensorError — a class declared outside keel with a field of
 * its own, registered with registerErrorClass so that one thrown in fit's worker reaches the caller
 * as itself.
 *
 * Imported in a worker thread while KEEL_TEST_FAIL_IMPORT is set, this module throws a DataError
 * instead: a failure before training starts, which reaches the caller the same way; while
 * KEEL_TEST_EXIT_IMPORT is set, it ends the worker (a worker gone before training finished).
 */
import { isMainThread } from 'node:worker_threads';
import { UsageError } from '../../src/cli/errors.js';
import { CsvError } from '../../src/data/csv/error.js';
import { IdxError } from '../../src/data/idx.js';
import { DatasetNotFoundError } from '../../src/datasets/fashion-mnist.js';
import {
  AbortError, BackendError, DataError, FormatError, KeelError, NonFiniteError, OptionError, registerErrorClass, ShapeError, StateError, StorageError,
} from '../../src/errors.js';
import { SafetensorsError } from '../../src/io/safetensors.js';
import * as nn from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';

if (!isMainThread && process.env.KEEL_TEST_FAIL_IMPORT) {
  throw new DataError('worker-errors-fixture: failing on import, as KEEL_TEST_FAIL_IMPORT asks');
}
if (!isMainThread && process.env.KEEL_TEST_EXIT_IMPORT) process.exit(3);

/** A sensor channel that cannot be read. */
export class SensorError extends DataError {
  constructor(message: string, readonly channel: number) {
    super(message);
  }
}
registerErrorClass(SensorError);

const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/nope/x.bin'"), { code: 'ENOENT' });

/** The errors FaultyLayer can throw, by name. */
export const FAULTS = {
  KeelError: () => new KeelError('FaultyLayer: a KeelError'),
  ShapeError: () => new ShapeError('FaultyLayer: expected input (N, 4), got (16, 5)'),
  OptionError: () => new OptionError('FaultyLayer: gain must be > 0, got -1'),
  DataError: () => new DataError('FaultyLayer: label 7 is not a class in [0, 4]'),
  FormatError: () => new FormatError('FaultyLayer: the state is truncated'),
  StateError: () => new StateError('FaultyLayer: used after dispose'),
  NonFiniteError: () => new NonFiniteError('FaultyLayer: the gain is NaN'),
  StorageError: () => new StorageError("FaultyLayer: cannot read '/nope/x.bin'", '/nope/x.bin', enoent),
  BackendError: () => new BackendError('FaultyLayer: the addon cannot honour KEEL_CPU=avx1024'),
  AbortError: () => new AbortError('FaultyLayer: aborted by its AbortSignal'),
  CsvError: () => new CsvError('data/train.csv', 12, 3, 'expected a number, got "x"'),
  IdxError: () => new IdxError('data/train-images-idx3-ubyte', 'the header says 60000 items, the file holds 59999'),
  SafetensorsError: () => new SafetensorsError('model.safetensors: the header length lies'),
  DatasetNotFoundError: () => new DatasetNotFoundError('/data/fashion', ['train-images-idx3-ubyte'], 'fashionMnist: no train-images-idx3-ubyte(.gz) in /data/fashion'),
  UsageError: () => new UsageError('keel train: unknown flag --epohcs'),
  SensorError: () => new SensorError('FaultyLayer: channel 2 reads NaN', 2),
} as const;

export type Fault = keyof typeof FAULTS;

/** Throws FAULTS[throws]() on every forward. */
export class FaultyLayer extends nn.Module {
  constructor(readonly throws: Fault) {
    super();
  }

  forward(_x: Tensor): Tensor {
    throw FAULTS[this.throws]();
  }

  toJSON(): nn.ModuleJSON {
    return { type: 'FaultyLayer', options: { throws: this.throws } };
  }
}
nn.registerModuleType('FaultyLayer', (o) => new FaultyLayer(o.throws as Fault), { module: import.meta.url });
