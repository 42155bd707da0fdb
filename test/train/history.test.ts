/**
 * History: series by key, bestEpoch (min and max kinds, ties, NaN), divergenceEpoch mapped to epoch
 * numbers (runs resumed at initialEpoch 10, epochs without validation), the JSON round trip (NaN and
 * Infinity included), the exact CSV text, and the errors.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { divergenceIndex } from '../../src/train/divergence.js';
import { type EpochLogs, History } from '../../src/train/history.js';

/** A record with the fields fit always fills; `over` replaces any of them. */
function logs(epoch: number, loss: number, over: Partial<EpochLogs> = {}): EpochLogs {
  return { epoch, loss, metrics: {}, lr: [0.001], seconds: 1, samplesPerSecond: 100, ...over };
}

function historyOf(records: EpochLogs[], options?: ConstructorParameters<typeof History>[0]): History {
  const h = new History(options);
  for (const r of records) h.record(r);
  return h;
}

describe('History.values and keys', () => {
  const h = historyOf([
    logs(1, 0.5, { valLoss: 0.6, metrics: { rmse: 0.7, valRmse: 0.8 }, lr: [0.01, 0.1], seconds: 2, samplesPerSecond: 500 }),
    logs(2, 0.4, { valLoss: 0.55, metrics: { rmse: 0.6, valRmse: 0.75, mae: 0.3 }, lr: [0.005, 0.05], seconds: 2.5, samplesPerSecond: 400 }),
    logs(3, 0.3, { metrics: { rmse: 0.5 }, lr: [0.0025], seconds: 3, samplesPerSecond: 300 }),
  ]);

  it('returns one entry per epoch, NaN where the epoch lacks the quantity', () => {
    expect(h.values('epoch')).toEqual([1, 2, 3]);
    expect(h.values('loss')).toEqual([0.5, 0.4, 0.3]);
    expect(h.values('valLoss')).toEqual([0.6, 0.55, NaN]);
    expect(h.values('rmse')).toEqual([0.7, 0.6, 0.5]);
    expect(h.values('valRmse')).toEqual([0.8, 0.75, NaN]);
    expect(h.values('mae')).toEqual([NaN, 0.3, NaN]);
    expect(h.values('lr')).toEqual([0.01, 0.005, 0.0025]);
    expect(h.values('lr1')).toEqual([0.1, 0.05, NaN]);
    expect(h.values('seconds')).toEqual([2, 2.5, 3]);
    expect(h.values('samplesPerSecond')).toEqual([500, 400, 300]);
  });

  it('lists its keys in CSV order and names them when a key is unknown', () => {
    expect(h.keys()).toEqual(['epoch', 'loss', 'valLoss', 'mae', 'rmse', 'valRmse', 'lr', 'lr1', 'seconds', 'samplesPerSecond']);
    expect(() => h.values('val_loss')).toThrow(
      'History.values: no quantity "val_loss" in this history (available: epoch, loss, valLoss, mae, rmse, valRmse, lr, lr1, seconds, samplesPerSecond)',
    );
    expect(() => h.values('lr2')).toThrow(OptionError);
    expect(() => h.values('lr0')).toThrow(OptionError);
  });

  it('an empty history has the keys every record has, with empty series', () => {
    const empty = new History();
    expect(empty.keys()).toEqual(['epoch', 'loss', 'lr', 'seconds', 'samplesPerSecond']);
    expect(empty.values('loss')).toEqual([]);
    expect(() => empty.values('valLoss')).toThrow('History.values: no quantity "valLoss"');
  });

  it('records deep copies', () => {
    const r = logs(1, 0.5, { metrics: { rmse: 0.7 }, lr: [0.01] });
    const copy = historyOf([r]);
    r.loss = 9;
    r.metrics.rmse = 9;
    r.lr[0] = 9;
    expect(copy.epochs[0]).toEqual(logs(1, 0.5, { metrics: { rmse: 0.7 }, lr: [0.01] }));
    expect(copy.epochs[0]).not.toHaveProperty('valLoss');
  });
});

describe('History.bestEpoch', () => {
  it('is null before any epoch', () => {
    expect(new History().bestEpoch).toBeNull();
    expect(new History({ monitor: 'valAccuracy' }).bestEpoch).toBeNull();
  });

  it("monitors 'loss' without validation data and 'valLoss' with it; minimum, first of ties", () => {
    const h = historyOf([logs(1, 0.5), logs(2, 0.3), logs(3, 0.3), logs(4, 0.4)]);
    expect(h.monitor).toBe('loss');
    expect(h.bestEpoch).toBe(2);
    const v = historyOf([0.9, 0.7, 0.8, 0.7].map((vl, i) => logs(i + 1, 0.5 - 0.1 * i, { valLoss: vl })));
    expect(v.monitor).toBe('valLoss');
    expect(v.bestEpoch).toBe(2); // the training loss is lowest at 4
  });

  it("takes the maximum for names containing 'accuracy' or 'r2', the minimum for errors", () => {
    const h = historyOf(
      [
        { valAccuracy: 0.8, valTop5Accuracy: 0.9, r2: 0.5, valR2: 0.1, valRmse: 3 },
        { valAccuracy: 0.9, valTop5Accuracy: 0.95, r2: 0.7, valR2: 0.4, valRmse: 2 },
        { valAccuracy: 0.9, valTop5Accuracy: 0.99, r2: 0.6, valR2: 0.5, valRmse: 2 },
        { valAccuracy: 0.85, valTop5Accuracy: 0.97, r2: 0.65, valR2: 0.3, valRmse: 2.5 },
      ].map((metrics, i) => logs(11 + i, 1, { valLoss: 1, metrics })),
    );
    const best = (monitor: string) => {
      h.monitor = monitor;
      return h.bestEpoch;
    };
    expect(best('valAccuracy')).toBe(12); // tie between 12 and 13: the first
    expect(best('valTop5Accuracy')).toBe(13);
    expect(best('r2')).toBe(12);
    expect(best('valR2')).toBe(13);
    expect(best('valRmse')).toBe(12);
  });

  it("follows the declared modes (a custom metric's mode) over any rule on the name; undeclared keys go by metricMode", () => {
    const records = [3, 5, 4].map((score, i) => logs(i + 1, 1, { valLoss: 1, metrics: { valScore: score, valAccuracy: score, error2: score } }));
    // A custom metric { name: 'score', mode: 'max' }: its name says nothing, its declaration does.
    expect(historyOf(records, { monitor: 'valScore', modes: { valScore: 'max' } }).bestEpoch).toBe(2);
    expect(historyOf(records, { monitor: 'valScore' }).bestEpoch).toBe(1);
    // A declaration wins over the name's words; without one, 'error2' is an error (min), not an r2.
    expect(historyOf(records, { monitor: 'valAccuracy', modes: { valAccuracy: 'min' } }).bestEpoch).toBe(1);
    expect(historyOf(records, { monitor: 'valAccuracy' }).bestEpoch).toBe(2);
    expect(historyOf(records, { monitor: 'error2' }).bestEpoch).toBe(1);
    const h = historyOf(records, { modes: { valScore: 'max' } });
    expect(h.modeOf('valScore')).toBe('max');
    expect(h.modeOf('valLoss')).toBe('min');
    expect(h.modes).toEqual({ valScore: 'max' });
  });

  it('never picks NaN, and is null when every value is NaN', () => {
    expect(historyOf([logs(1, NaN), logs(2, 0.5), logs(3, 0.4), logs(4, NaN)]).bestEpoch).toBe(3);
    expect(historyOf([logs(1, NaN), logs(2, NaN)]).bestEpoch).toBeNull();
    const acc = historyOf([logs(1, 1, { metrics: { accuracy: NaN } }), logs(2, 1, { metrics: { accuracy: 0.1 } })], { monitor: 'accuracy' });
    expect(acc.bestEpoch).toBe(2);
  });

  it('throws when the monitored quantity is not in the history', () => {
    const h = historyOf([logs(1, 0.5)], { monitor: 'valLoss' });
    expect(() => h.bestEpoch).toThrow('History.values: no quantity "valLoss" in this history (available: epoch, loss, lr, seconds, samplesPerSecond)');
  });
});

describe('History.divergenceEpoch', () => {
  const trainAt = (i: number) => 0.1 + 0.9 * Math.exp(-i / 8);
  const vee = (j: number) => 0.3 + 0.05 * Math.abs(j - 8);

  it('maps the divergence index to the epoch number (a run resumed at initialEpoch 10)', () => {
    const records = Array.from({ length: 20 }, (_, i) => logs(11 + i, trainAt(i), { valLoss: vee(i) }));
    const h = historyOf(records);
    expect(divergenceIndex(records.map((r) => r.loss), records.map((r) => r.valLoss!))).toBe(8);
    expect(h.divergenceEpoch).toBe(19);
  });

  it('is null without validation data and when validation never rises', () => {
    expect(new History().divergenceEpoch).toBeNull();
    expect(historyOf(Array.from({ length: 20 }, (_, i) => logs(11 + i, trainAt(i)))).divergenceEpoch).toBeNull();
    expect(historyOf(Array.from({ length: 20 }, (_, i) => logs(11 + i, trainAt(i), { valLoss: 0.3 + trainAt(i) }))).divergenceEpoch).toBeNull();
  });

  it('uses only the epochs with a finite loss and validation loss', () => {
    // 30 epochs (11…40); validation on even epochs only, shaped as a V over those 15 epochs (minimum at
    // the 9th: epoch 28); then an epoch whose losses are NaN.
    const records = Array.from({ length: 30 }, (_, i) => {
      const epoch = 11 + i;
      return logs(epoch, trainAt(i), epoch % 2 === 0 ? { valLoss: vee((epoch - 12) / 2) } : {});
    });
    records.push(logs(41, NaN, { valLoss: NaN }));
    const h = historyOf(records);
    expect(h.divergenceEpoch).toBe(28);
  });

  it('uses the divergence options it was given', () => {
    // A V whose minimum (index 16) leaves 3 epochs after it: enough for patience 3, not for 4.
    const records = Array.from({ length: 20 }, (_, i) => logs(1 + i, trainAt(i), { valLoss: 0.3 + 0.05 * Math.abs(i - 16) }));
    expect(historyOf(records).divergenceEpoch).toBe(17);
    expect(historyOf(records, { divergence: { patience: 4 } }).divergenceEpoch).toBeNull();
  });
});

describe('History JSON', () => {
  it('toJSON is plain data, non-finite numbers as strings', () => {
    const h = historyOf([logs(1, NaN, { valLoss: Infinity, metrics: { accuracy: 0.5, r2: -Infinity }, lr: [0.1], seconds: 2, samplesPerSecond: 50 })], {
      divergence: { patience: 2 },
    });
    h.stopped = 'nonFinite';
    expect(JSON.parse(JSON.stringify(h))).toEqual({
      epochs: [{ epoch: 1, loss: 'NaN', valLoss: 'Infinity', metrics: { accuracy: 0.5, r2: '-Infinity' }, lr: [0.1], seconds: 2, samplesPerSecond: 50 }],
      bestEpoch: 1,
      divergenceEpoch: null,
      stopped: 'nonFinite',
      monitor: 'valLoss',
      divergence: { smoothing: 3, patience: 2, minRise: 0.01, noiseMultiple: 2 },
      modes: {},
    });
  });

  it('round-trips through JSON.stringify and fromJSON', () => {
    const records = Array.from({ length: 20 }, (_, i) =>
      logs(11 + i, 0.1 + 0.9 * Math.exp(-i / 8), {
        valLoss: 0.3 + 0.05 * Math.abs(i - 8),
        metrics: { rmse: Math.sqrt(0.5 + i), valRmse: i === 3 ? NaN : 1 / (i + 1), accuracy: i / 20 },
        lr: [0.001 / (i + 1), 1e-7],
        seconds: 0.1 * (i + 1),
        samplesPerSecond: 1000 / (i + 3),
      }),
    );
    const h = historyOf(records, { monitor: 'accuracy', divergence: { smoothing: 5, minRise: 0.02 } });
    h.stopped = 'earlyStopping';
    const back = History.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    expect(back.epochs).toEqual(h.epochs);
    expect(back.values('valRmse')[3]).toBeNaN();
    expect(back.stopped).toBe('earlyStopping');
    expect(back.monitor).toBe('accuracy');
    expect(back.bestEpoch).toBe(30);
    expect(back.divergenceOptions).toEqual({ smoothing: 5, patience: 3, minRise: 0.02, noiseMultiple: 2 });
    expect(back.divergenceEpoch).toBe(19);
    expect(back.toJSON()).toEqual(h.toJSON());
    expect(back.toCSV()).toBe(h.toCSV());
    // The declared modes travel with the JSON, so bestEpoch reads the same after the trip.
    const scored = historyOf(records, { monitor: 'rmse', modes: { rmse: 'max' } });
    const scoredBack = History.fromJSON(JSON.parse(JSON.stringify(scored)));
    expect(scoredBack.modes).toEqual({ rmse: 'max' });
    expect(scoredBack.bestEpoch).toBe(scored.bestEpoch);
    expect(scoredBack.bestEpoch).toBe(30);
    // JSON written before modes existed still reads (undeclared keys go by metricMode).
    const { modes: _modes, ...old } = h.toJSON();
    expect(History.fromJSON(old).bestEpoch).toBe(30);
    expect(() => History.fromJSON({ ...h.toJSON(), modes: { rmse: 'up' } })).toThrow("History.fromJSON: modes.rmse must be 'min' or 'max', got \"up\"");
    // fromJSON also takes the object itself, and a running history (stopped null).
    const running = historyOf(records.slice(0, 2));
    const again = History.fromJSON(running.toJSON());
    expect(again.stopped).toBeNull();
    expect(again.epochs).toEqual(running.epochs);
  });

  it('fromJSON checks what it reads, naming the place', () => {
    const good = historyOf([logs(1, 0.5), logs(2, 0.4)]).toJSON();
    expect(() => History.fromJSON('{}')).toThrow('History.fromJSON: expected the object History.toJSON() returns, got "{}"');
    expect(() => History.fromJSON({ ...good, best: 1 })).toThrow('History.fromJSON: unknown key "best" (known keys: epochs, bestEpoch, divergenceEpoch, stopped, monitor, divergence, modes)');
    expect(() => History.fromJSON({ ...good, epochs: 3 })).toThrow('History.fromJSON: epochs must be an array, got 3');
    expect(() => History.fromJSON({ ...good, epochs: [good.epochs[0], { ...good.epochs[1], loss: 'nan?' }] })).toThrow(
      'History.fromJSON: epochs[1].loss must be a number (or "Infinity", "-Infinity", "NaN"), got "nan?"',
    );
    expect(() => History.fromJSON({ ...good, epochs: [good.epochs[1], good.epochs[0]] })).toThrow(
      'History.fromJSON: epochs[1]: epoch must be greater than the last recorded epoch (2), got 1',
    );
    expect(() => History.fromJSON({ ...good, stopped: 'done' })).toThrow(
      "History.fromJSON: stopped must be null or one of 'completed', 'earlyStopping', 'callback', 'aborted', 'nonFinite', 'error', got \"done\"",
    );
    expect(() => History.fromJSON({ ...good, divergence: { smoothing: 4 } })).toThrow('History.fromJSON: divergence: smoothing must be an odd positive integer');
  });
});

describe('History.toCSV', () => {
  it('writes the exact text: header, sorted metrics, lr groups, empty missing cells, full precision', () => {
    const h = historyOf([
      logs(1, 0.5, { valLoss: 0.6, metrics: { rmse: 0.7, valRmse: 0.8, mae: 0.4, valMae: 0.45 }, lr: [0.001, 0.01], seconds: 1.25, samplesPerSecond: 800 }),
      logs(2, 0.1 + 0.2, { metrics: { rmse: 0.3, mae: 0.2, 'f1,"macro"': 0.9 }, lr: [0.0005, 0.005], seconds: 1.5, samplesPerSecond: 1000 / 3 }),
      logs(3, NaN, { valLoss: 0.7, lr: [1e-7], seconds: 0.75, samplesPerSecond: 0 }),
    ]);
    expect(h.toCSV()).toBe(
      'epoch,loss,valLoss,"f1,""macro""",mae,rmse,valMae,valRmse,lr,lr1,seconds,samplesPerSecond\n' +
        '1,0.5,0.6,,0.4,0.7,0.45,0.8,0.001,0.01,1.25,800\n' +
        '2,0.30000000000000004,,0.9,0.2,0.3,,,0.0005,0.005,1.5,333.3333333333333\n' +
        '3,NaN,0.7,,,,,,1e-7,,0.75,0\n',
    );
  });

  it('writes only the header for an empty history, and no valLoss column without validation', () => {
    expect(new History().toCSV()).toBe('epoch,loss,lr,seconds,samplesPerSecond\n');
    expect(historyOf([logs(1, 0.25), logs(2, 0.125)]).toCSV()).toBe('epoch,loss,lr,seconds,samplesPerSecond\n1,0.25,0.001,1,100\n2,0.125,0.001,1,100\n');
  });
});

describe('History errors', () => {
  it('rejects bad options', () => {
    expect(() => new History({ monitr: 'loss' } as never)).toThrow('History: unknown option "monitr" (known options: monitor, divergence, modes)');
    expect(() => new History({ monitor: '' })).toThrow('History: monitor must be a non-empty string, got ""');
    expect(() => new History({ divergence: { patience: 0 } })).toThrow('History: divergence: patience must be a positive integer, got 0');
    expect(() => new History({ divergence: { smothing: 3 } as never })).toThrow('History: divergence: unknown option "smothing"');
    const h = new History();
    expect(() => {
      h.stopped = 'early' as never;
    }).toThrow("History: stopped must be null or one of 'completed', 'earlyStopping', 'callback', 'aborted', 'nonFinite', 'error', got \"early\"");
    expect(() => {
      h.monitor = 3 as never;
    }).toThrow('History: monitor must be a non-empty string, got 3');
  });

  it('rejects bad records, naming the field and the value, and records nothing', () => {
    const h = historyOf([logs(5, 0.5)]);
    const bad: [unknown, string][] = [
      [null, 'History.record: logs must be an object, got null'],
      [{ ...logs(6, 0.5), val_loss: 0.3 }, 'History.record: unknown key "val_loss" in logs (known keys: epoch, loss, valLoss, metrics, lr, seconds, samplesPerSecond)'],
      [logs(0, 0.5), 'History.record: epoch must be a positive integer, got 0'],
      [logs(6.5, 0.5), 'History.record: epoch must be a positive integer, got 6.5'],
      [logs(5, 0.5), 'History.record: epoch must be greater than the last recorded epoch (5), got 5'],
      [logs(6, '0.5' as never), 'History.record: loss must be a number, got "0.5"'],
      [logs(6, 0.5, { valLoss: null as never }), 'History.record: valLoss must be a number, got null'],
      [logs(6, 0.5, { metrics: [] as never }), 'History.record: metrics must be an object of numbers, got []'],
      [logs(6, 0.5, { metrics: { rmse: '1' as never } }), 'History.record: metrics.rmse must be a number, got "1"'],
      [logs(6, 0.5, { metrics: { loss: 1 } }), 'History.record: "loss" cannot name a metric (it is empty or a key History already has)'],
      [logs(6, 0.5, { metrics: { lr2: 1 } }), 'History.record: "lr2" cannot name a metric'],
      [logs(6, 0.5, { lr: [] }), 'History.record: lr must be a non-empty array (one learning rate per param group), got []'],
      [logs(6, 0.5, { lr: [0.1, -1] }), 'History.record: lr[1] must be a finite number >= 0, got -1'],
      [logs(6, 0.5, { seconds: -1 }), 'History.record: seconds must be a finite number >= 0, got -1'],
      [logs(6, 0.5, { samplesPerSecond: NaN }), 'History.record: samplesPerSecond must be a number >= 0, got NaN'],
    ];
    for (const [input, message] of bad) expect(() => h.record(input as EpochLogs), message).toThrow(message);
    expect(h.epochs).toHaveLength(1);
    const { seconds: _drop, ...missing } = logs(6, 0.5);
    expect(() => h.record(missing as EpochLogs)).toThrow('History.record: seconds must be a finite number >= 0, got undefined');
  });
});
