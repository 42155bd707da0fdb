// ProgressLogger's 'lines', 'jsonl' and 'bar' output (exact formats), and progress in fit in both modes (silent with verbose: false).
import { describe, expect, it } from 'vitest';
import { SGD } from '../../src/optim/sgd.js';
import { ProgressLogger, progressMode } from '../../src/train/callbacks/progress.js';
import { fit } from '../../src/train/fit.js';
import { type EpochLogs, History } from '../../src/train/history.js';
import { linearFitOptions, linearNet, sleep } from './helpers.js';

const options = linearFitOptions();

/** A stream that keeps what is written. */
function fakeStream(isTTY = false, columns = 200): { write(s: string): boolean; writes: string[]; isTTY: boolean; columns: number; text(): string } {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    columns,
    write(s: string) {
      writes.push(s);
      return true;
    },
    text: () => writes.join(''),
  };
}

function epochLogs(epoch: number, over: Partial<EpochLogs> = {}): EpochLogs {
  return { epoch, loss: 0.123456, valLoss: 0.5, metrics: { mae: 0.25, valMae: 0.75 }, lr: [0.001], seconds: 2.5, samplesPerSecond: 1234.4, ...over };
}

/** A ProgressLogger with a fake context (params.epochs, a history to summarise). */
function progress(mode: 'lines' | 'jsonl' | 'bar', epochs: number, stream = fakeStream(mode === 'bar')) {
  const logger = new ProgressLogger(mode, stream);
  const history = new History();
  const model = linearNet();
  logger.context = {
    model,
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    history,
    params: { epochs, initialEpoch: 0, stepsPerEpoch: 4, batchSize: 16, samples: 60, validationSamples: 20, logKeys: [], mode: 'thread' },
    stopTraining: () => {},
    stopRequested: false,
  };
  return { logger, history, stream };
}

describe('ProgressLogger: exact formats', () => {
  it("'lines': one summary line per epoch (4 significant digits, padded epoch numbers), then a closing line", () => {
    const { logger, history, stream } = progress('lines', 12);
    const a = epochLogs(3);
    const b = epochLogs(4, { loss: 123456, valLoss: 0.4, lr: [1e-4], seconds: 75, samplesPerSecond: 99.5 });
    for (const l of [a, b]) {
      logger.onEpochBegin(l.epoch);
      logger.onBatchEnd(1, { epoch: l.epoch, size: 16, loss: 1 });
      history.record(l);
      logger.onEpochEnd(l.epoch, l);
    }
    history.stopped = 'earlyStopping';
    logger.onTrainEnd({ epoch: 4 });
    expect(stream.writes).toEqual([
      'Epoch  3/12  loss 0.1235  mae 0.2500  valLoss 0.5000  valMae 0.7500  lr 0.001000  2.5s  1234 samples/s\n',
      'Epoch  4/12  loss 1.235e+5  mae 0.2500  valLoss 0.4000  valMae 0.7500  lr 1.000e-4  1m15s  100 samples/s\n',
      '2 epochs trained (earlyStopping); best valLoss 0.4000 at epoch 4\n',
    ]);
  });

  it("'lines': the closing line names the divergence epoch when there is one", () => {
    const { logger, history, stream } = progress('lines', 20);
    for (let e = 1; e <= 20; e++) history.record(epochLogs(e, { loss: 1 / e, valLoss: 0.3 + 0.01 * (e - 8) ** 2 }));
    history.stopped = 'completed';
    const d = history.divergenceEpoch;
    expect(d).not.toBeNull();
    logger.onTrainEnd({ epoch: 20 });
    expect(stream.writes).toEqual([`20 epochs trained (completed); best valLoss 0.3000 at epoch 8; validation loss diverged from training loss at epoch ${d}\n`]);
  });

  it("'jsonl': one JSON object per epoch and one at the end", () => {
    const { logger, history, stream } = progress('jsonl', 2);
    const l = epochLogs(1, { valLoss: 0.5 });
    history.record(l);
    logger.onEpochBegin(1);
    logger.onEpochEnd(1, l);
    history.stopped = 'completed';
    logger.onTrainEnd({ epoch: 1 });
    expect(stream.writes).toEqual([
      '{"event":"epoch","epoch":1,"loss":0.123456,"valLoss":0.5,"metrics":{"mae":0.25,"valMae":0.75},"lr":[0.001],"seconds":2.5,"samplesPerSecond":1234.4}\n',
      '{"event":"end","stopped":"completed","bestEpoch":1,"divergenceEpoch":null}\n',
    ]);
  });

  it("'bar': redraws in place ('\\r' + clear line), at most every 100 ms and at the last batch, then the summary line", () => {
    const { logger, history, stream } = progress('bar', 2);
    logger.onEpochBegin(1);
    [2, 4, 6, 8].forEach((loss, i) => logger.onBatchEnd(i + 1, { epoch: 1, size: 16, loss }));
    const l = epochLogs(1);
    history.record(l);
    logger.onEpochEnd(1, l);
    history.stopped = 'completed';
    logger.onTrainEnd({ epoch: 1 });
    const bar = (filled: number) => '█'.repeat(filled) + '░'.repeat(24 - filled);
    expect(stream.writes.length).toBe(5);
    // Batch 1 draws at once (6 of 24 cells); batches 2 and 3 come within 100 ms and are skipped; batch 4 (the last) draws.
    expect(stream.writes[0]).toMatch(new RegExp(`^\\r\\x1b\\[2KEpoch 1/2 ${bar(6)} 1/4  loss 2\\.000  \\d+ samples/s  ETA (\\d+(\\.\\d)?s|\\?)$`));
    expect(stream.writes[1]).toMatch(new RegExp(`^\\r\\x1b\\[2KEpoch 1/2 ${bar(24)} 4/4  loss 5\\.000  \\d+ samples/s  ETA 0\\.0s$`));
    expect(stream.writes[2]).toBe('\r\x1b[2KEpoch 1/2  loss 0.1235  mae 0.2500  valLoss 0.5000  valMae 0.7500  lr 0.001000  2.5s  1234 samples/s\n');
    expect(stream.writes[3]).toBe('\r\x1b[2K');
    expect(stream.writes[4]).toBe('1 epoch trained (completed); best valLoss 0.5000 at epoch 1\n');
  });

  it("'bar': the line is cut to the terminal's width", () => {
    const { logger, stream } = progress('bar', 2, fakeStream(true, 40));
    logger.onEpochBegin(1);
    logger.onBatchEnd(1, { epoch: 1, size: 16, loss: 2 });
    expect(stream.writes).toEqual([`\r\x1b[2K${`Epoch 1/2 ${'█'.repeat(6)}${'░'.repeat(18)} 1/4  loss 2.000`.slice(0, 39)}`]);
  });

  it("verbose 'auto' (and true): a bar on a TTY, lines otherwise or when CI is set; false: nothing", () => {
    expect(progressMode('auto', { write: () => true, isTTY: true }, {})).toBe('bar');
    expect(progressMode(true, { write: () => true, isTTY: true }, {})).toBe('bar');
    expect(progressMode('auto', { write: () => true, isTTY: true }, { CI: 'true' })).toBe('lines');
    expect(progressMode('auto', { write: () => true }, {})).toBe('lines');
    expect(progressMode('jsonl', { write: () => true, isTTY: true }, {})).toBe('jsonl');
    expect(progressMode(false, { write: () => true, isTTY: true }, {})).toBeNull();
  });
});

/** A summary line as ProgressLogger writes it for these logs: values by toPrecision(4); time and rate by pattern. */
function linePattern(e: EpochLogs, total: number): RegExp {
  const v = (x: number) => x.toPrecision(4).replace('.', '\\.');
  return new RegExp(
    `^Epoch ${e.epoch}/${total}  loss ${v(e.loss)}  mae ${v(e.metrics.mae!)}  valLoss ${v(e.valLoss!)}  valMae ${v(e.metrics.valMae!)}  lr 0\\.01000  \\d+(\\.\\d)?s  \\d+ samples/s\\n$`,
  );
}

describe('progress in fit (both modes)', () => {
  it.each([false, true])("verbose 'lines' and 'jsonl' to a stream (worker: %s)", async (worker) => {
    const lines = fakeStream();
    const h = await fit(linearNet(), options(worker, { metrics: ['mae'], verbose: 'lines', verboseStream: lines }));
    expect(lines.writes.length).toBe(3);
    h.epochs.forEach((e, i) => expect(lines.writes[i]).toMatch(linePattern(e, 2)));
    expect(lines.writes[2]).toBe(`2 epochs trained (completed); best valLoss ${h.values('valLoss')[h.bestEpoch! - 1]!.toPrecision(4)} at epoch ${h.bestEpoch}\n`);

    const jsonl = fakeStream();
    const j = await fit(linearNet(), options(worker, { metrics: ['mae'], verbose: 'jsonl', verboseStream: jsonl }));
    expect(jsonl.writes).toEqual([
      ...j.epochs.map((e) => `${JSON.stringify({ event: 'epoch', ...e })}\n`),
      `${JSON.stringify({ event: 'end', stopped: 'completed', bestEpoch: j.bestEpoch, divergenceEpoch: null })}\n`,
    ]);
  });

  it.each([false, true])("verbose 'bar' on a TTY redraws with '\\r' (worker: %s)", async (worker) => {
    const tty = fakeStream(true);
    const h = await fit(linearNet(), options(worker, { metrics: ['mae'], verbose: 'bar', verboseStream: tty }));
    const redraws = tty.writes.filter((w) => !w.endsWith('\n') && w !== '\r\x1b[2K');
    for (const r of redraws) expect(r).toMatch(/^\r\x1b\[2KEpoch [12]\/2 [█░]{24} [1-4]\/4  loss \S+  \d+ samples\/s  ETA \S+$/);
    // Every epoch draws its first batch (the throttle restarts with the epoch) and its last.
    expect(redraws.filter((r) => r.includes(' 1/4 ')).length).toBe(2);
    expect(redraws.filter((r) => r.includes(' 4/4 ')).length).toBe(2);
    const summaries = tty.writes.filter((w) => w.startsWith('\r\x1b[2KEpoch') && w.endsWith('\n'));
    expect(summaries.length).toBe(2);
    h.epochs.forEach((e, i) => expect(summaries[i]!.slice('\r\x1b[2K'.length)).toMatch(linePattern(e, 2)));
    expect(tty.writes.at(-1)).toMatch(/^2 epochs trained \(completed\); best valLoss \S+ at epoch [12]\n$/);
  });

  it('verbose false prints nothing on stdout or stderr (both modes); verbose lines goes to stderr by default', async () => {
    const written: string[] = [];
    const out = process.stdout.write, err = process.stderr.write;
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    let quiet: string[], loud: string[];
    try {
      await fit(linearNet(), options(false, { verbose: false }));
      await fit(linearNet(), options(true, { verbose: false }));
      await sleep(20); // a worker's output reaches the caller's streams asynchronously
      quiet = written.splice(0);
      await fit(linearNet(), options(false, { verbose: 'lines' }));
      loud = written.splice(0);
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    expect(quiet).toEqual([]);
    expect(loud.length).toBe(3);
    expect(loud[0]).toMatch(/^Epoch 1\/2  loss /);
  });
});
