// What one keel train run shows: the baselines that ignore the inputs (computed, not assumed), and
// the sentences for each way a run can go — beating the baseline or not, diverging or not, and how it
// ended (early stopping, interrupt, best epoch last, best weights restored or not).
import { describe, expect, it } from 'vitest';
import { constantPrediction, mostFrequentClass, type RunFacts, runReading } from '../../src/cli/run-reading.js';
import { tensor } from '../../src/index.js';

const RUN: RunFacts = {
  metric: 'rmse', best: 14.52, bestEpoch: 6, epochs: 12, divergenceEpoch: null, stopped: 'completed', earlyStopping: true,
  baseline: { score: 41.47, text: 'a constant prediction (the mean)' },
};

describe('baselines', () => {
  it('constantPrediction predicts the fitting mean for every validation target', () => {
    // mean of y = 0.5; validation errors 0.5 and -0.3: RMSE sqrt((0.25 + 0.09) / 2) = sqrt(0.17)
    const r = constantPrediction(tensor([[0.2], [0.8], [0.5]]), tensor([[1.0], [0.2]]), 125);
    expect(r.mean).toBeCloseTo(62.5, 5);
    expect(r.valRmse).toBeCloseTo(125 * Math.sqrt(0.17), 4);
  });

  it('mostFrequentClass names the commonest class and its share (the first of a tie)', () => {
    expect(mostFrequentClass(tensor([2, 1, 2, 0, 2]), ['a', 'b', 'c'])).toEqual({ label: 'c', share: 0.6 });
    expect(mostFrequentClass(tensor([1, 0]), ['a', 'b'])).toEqual({ label: 'a', share: 0.5 });
  });
});

describe('runReading', () => {
  it('says how the best epoch compares with the baseline, in the metric\'s direction', () => {
    const [first] = runReading(RUN);
    expect(first).toBe('At the best epoch (6, the lowest validation loss) the validation RMSE is 14.52 cycles: better than a constant prediction (the mean), which scores 41.47 cycles.');
    expect(runReading({ ...RUN, best: 45 })[0]).toMatch(/no better than .*41\.47 cycles: the model has learned nothing that carries over/);
    expect(runReading({ ...RUN, best: NaN })[0]).toMatch(/no better than/);
    const accuracy = { ...RUN, metric: 'accuracy' as const, best: 0.8312, baseline: { score: 0.1, text: 'always answering T' } };
    expect(runReading(accuracy)[0]).toBe('At the best epoch (6, the lowest validation loss) the validation accuracy is 0.8312: better than always answering T, which scores 0.1000.');
    expect(runReading({ ...accuracy, best: 0.05 })[0]).toMatch(/no better than always answering T/);
  });

  it('names the divergence epoch, or says there is none', () => {
    expect(runReading({ ...RUN, divergenceEpoch: 6 })[1]).toBe('Validation loss turned upward for good after epoch 6 while training loss kept falling: the onset of overfitting.');
    // The onset comes from the curves averaged over 3 epochs: one before the raw best epoch must not read as a contradiction.
    expect(runReading({ ...RUN, divergenceEpoch: 5 })[1]).toBe('Validation loss, averaged over 3 epochs, turned upward for good after epoch 5 while training loss kept falling: the onset of overfitting.');
    expect(runReading(RUN)[1]).toBe('Validation loss did not turn upward for good while training loss fell: no divergence epoch in 12 epochs.');
  });

  it('says how the run ended and which weights were saved', () => {
    const end = (f: Partial<RunFacts>) => runReading({ ...RUN, ...f })[2];
    expect(end({ stopped: 'earlyStopping', epochs: 14 })).toBe("Early stopping ended the run after epoch 14 and restored epoch 6's weights, the ones saved.");
    expect(end({ stopped: 'aborted' })).toBe("The run was interrupted in epoch 13; the saved weights are epoch 6's, the best.");
    expect(end({ stopped: 'aborted', earlyStopping: false })).toBe('The run was interrupted in epoch 13; the saved weights are those at the interrupt.');
    expect(end({ bestEpoch: 12 })).toBe('The last epoch was the best: more epochs (--epochs) may still help.');
    expect(end({})).toBe("Early stopping restored epoch 6's weights, the best, at the end; they are the ones saved.");
    expect(end({ earlyStopping: false })).toBe("The saved weights are the last epoch's; epoch 6's were better on validation (--early-stopping N keeps the best).");
    expect(runReading(RUN)).toHaveLength(3);
  });

  it('says a run that blew up blew up, and claims no missing divergence epoch', () => {
    const validation = runReading({ ...RUN, stopped: 'nonFinite', nonFinite: 'validation', epochs: 2, bestEpoch: 1 });
    expect(validation[1]).toBe('Training blew up before validation loss turned upward for good, so these 2 epochs show no onset of overfitting.');
    expect(validation[2]).toBe("The validation loss was not finite after epoch 2: training blew up (too high a learning rate is the usual cause), and early stopping ended the run there and restored epoch 1's weights, the ones saved.");
    const training = runReading({ ...RUN, stopped: 'nonFinite', nonFinite: 'training', epochs: 2, bestEpoch: 1 });
    expect(training[2]).toBe("The training loss was not finite in epoch 3: training blew up (too high a learning rate is the usual cause) and ended there; the saved weights are those of the last finite step, not epoch 1's.");
    // An onset read before the blow-up is still named.
    expect(runReading({ ...RUN, stopped: 'nonFinite', divergenceEpoch: 6 })[1]).toMatch(/^Validation loss turned upward for good after epoch 6/);
  });
});
