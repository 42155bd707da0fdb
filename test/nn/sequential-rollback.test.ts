/**
 * A Sequential forward that throws part-way leaves the model as it was: the BatchNorm layers that
 * ran before the failing layer (fused blocks and plain ones, nested Sequentials included) get their
 * running statistics and num_batches_tracked back; a forward that succeeds still updates them.
 */
import { describe, expect, it } from 'vitest';
import { KeelError, ShapeError } from '../../src/errors.js';
import * as nn from '../../src/nn/index.js';
import { setFusion } from '../../src/nn/sequential.js';
import { manualSeed } from '../../src/tensor/random.js';
import { expectSameSnapshot, input, snapshot } from './helpers.js';

/** A backbone built for windows of 8 (fused Conv1d → BatchNorm1d → ReLU → Dropout blocks, then the head). */
function backbone(): nn.Sequential {
  manualSeed(5);
  return nn.conv1dBackbone({ inChannels: 3, window: 8, widths: [4, 4], headHidden: 6, outputs: 1 });
}

function expectRefusedUnchanged(model: nn.Module, x: ReturnType<typeof input>): void {
  const before = snapshot(model);
  let err: unknown;
  try {
    model.forward(x);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ShapeError);
  expect(err).toBeInstanceOf(KeelError);
  expectSameSnapshot(snapshot(model), before);
}

describe('Sequential forward that fails late', () => {
  it('a window the head was not built for: BatchNorm buffers (fused path) are put back', () => {
    const model = backbone();
    model.forward(input([4, 3, 8], 1)); // running statistics away from their initial values
    expectRefusedUnchanged(model, input([4, 3, 9], 2));
    // The same input length as built for still trains the statistics.
    const before = snapshot(model);
    model.forward(input([4, 3, 8], 3));
    expect(snapshot(model).get('buffer 1.num_batches_tracked')).not.toEqual(before.get('buffer 1.num_batches_tracked'));
  });

  it('with fusion off, and with the failing layer inside a nested Sequential', () => {
    setFusion(false);
    try {
      expectRefusedUnchanged(backbone(), input([4, 3, 9], 2));
    } finally {
      setFusion(true);
    }
    manualSeed(6);
    const nested = new nn.Sequential(
      new nn.Sequential(new nn.Linear(5, 4), new nn.BatchNorm1d(4)),
      new nn.Sequential(new nn.BatchNorm1d(4), new nn.Linear(3, 1)), // Linear(3, …) after 4 features: throws
    );
    expectRefusedUnchanged(nested, input([6, 5], 4));
  });
});
