/**
 * One fit at a time per model: a second fit() of a model (or of a model sharing a layer with it) while
 * the first has not resolved is refused with a StateError, in both modes, and changes nothing; the first
 * trains as if alone, and once it resolves the model can be fitted again. (Without the check, two fits
 * interleaved their steps on the caller's thread and the last to finish overwrote the other in workers.)
 */
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { fit, manualSeed, nn, randn } from '../../src/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';

function data(): { x: Tensor; y: Tensor } {
  manualSeed(1);
  return { x: randn([256, 10]), y: randn([256, 1]) };
}

function mlp(): nn.Sequential {
  manualSeed(2);
  return new nn.Sequential(new nn.Linear(10, 16, { bias: false }), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Linear(16, 1));
}

describe.each([true, false])('fit twice at once (worker: %s)', (worker) => {
  it('refuses the second call and trains the first as if alone', async () => {
    const { x, y } = data();
    const options = { x, y, epochs: 2, batchSize: 32, worker, verbose: false } as const;
    const alone = mlp();
    await fit(alone, options);

    const model = mlp();
    const first = fit(model, options);
    await expect(fit(model, { ...options, seed: 1 })).rejects.toThrow(StateError);
    await expect(fit(model, options)).rejects.toThrow('fit: this model is already being trained by another fit() call; await that call (or abort it) before starting another');
    await first;
    expect(model.stateDict()).toEqual(alone.stateDict());
    expect((await fit(model, { ...options, epochs: 1 })).epochs).toHaveLength(1); // free again
  });

  it('refuses a model that shares a layer with one being trained', async () => {
    const { x, y } = data();
    const model = mlp();
    const sharing = new nn.Sequential(model.at(0), new nn.Linear(16, 1));
    const first = fit(model, { x, y, epochs: 1, worker, verbose: false });
    await expect(fit(sharing, { x, y, epochs: 1, worker, verbose: false })).rejects.toThrow(
      'fit: a layer of this model (Linear(10→16)) is already being trained by another fit() call',
    );
    await first;
  });
});

it('frees the model when fit fails', async () => {
  const { x } = data();
  const model = mlp();
  await expect(fit(model, { x, y: randn([256, 3]), epochs: 1, verbose: false })).rejects.toThrow();
  const { y } = data();
  expect((await fit(model, { x, y, epochs: 1, verbose: false })).epochs).toHaveLength(1);
});
