// The README's examples must run as written (with 'keel' pointing at this checkout).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { captureIO } from './cli/capture.js';

const root = new URL('../', import.meta.url);
const dir = fileURLToPath(new URL('test/.tmp/', root));

describe('README', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The first ts (or js) block after `heading`, and the test/.tmp/<name>.ts file to write it to. */
  function example(heading: string, name: string, lang = 'ts'): { code: string; file: string } {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const at = readme.indexOf(heading);
    expect(at, heading).toBeGreaterThan(0);
    const code = new RegExp(`\`\`\`${lang}\n([\\s\\S]*?)\`\`\``).exec(readme.slice(at))![1]!;
    expect(code).toContain("from 'keel'");
    mkdirSync(dir, { recursive: true });
    return { code, file: `${dir}${name}.ts` };
  }

  it('runs the "Writing models" example', async () => {
    const { code, file } = example('## Writing models', 'readme-example');
    // Run it in a scratch directory so model.safetensors lands there.
    const body = code.replace("from 'keel'", "from '../../src/index.js'").replaceAll("'model.safetensors'", `'${dir}model.safetensors'`);
    writeFileSync(file, `${body}\nexport const done = { loss: loss.item(), shape: pred.shape };\n`);
    const { done } = (await import(/* @vite-ignore */ file)) as { done: { loss: number; shape: number[] } };
    expect(Number.isFinite(done.loss)).toBe(true);
    expect(done.shape).toEqual([32, 1]);
  });

  it('runs the "Training with fit" example (in a worker thread)', async () => {
    const { code, file } = example('## Training with fit', 'readme-fit');
    const body = code.replace("from 'keel'", "from '../../src/index.js'").replace('console.log(', 'void (');
    writeFileSync(file, `${body}\nexport const done = { history, scores, yhat, mean, std };\n`);
    const { done } = (await import(/* @vite-ignore */ file)) as {
      done: { history: { epochs: unknown[]; stopped: string; values(k: string): number[] }; scores: Record<string, number>; yhat: { shape: number[] }; mean: { shape: number[] }; std: { shape: number[] } };
    };
    expect(done.history.epochs).toHaveLength(3);
    expect(done.history.stopped).toBe('completed');
    expect(done.history.values('valRmse').every(Number.isFinite)).toBe(true);
    expect(Object.keys(done.scores).sort()).toEqual(['loss', 'rmse']);
    expect(done.yhat.shape).toEqual([2000, 1]);
    expect(done.mean.shape).toEqual([2000, 1]);
    expect(done.std.shape).toEqual([2000, 1]);
    expect(readFileSync(`${dir}fit-log.csv`, 'utf8').split('\n')[0]).toBe('epoch,loss,rmse,mae,valLoss,valRmse,valMae,lr,lr1,seconds,samplesPerSecond');
  });

  it('runs the "Data" example (built-in dataset, split by engine, windows, augmentation, RUL scores)', async () => {
    const { code, file } = example('## Data', 'readme-data');
    const body = code.replace("from 'keel'", "from '../../src/index.js'").replace('console.log(', 'void (');
    writeFileSync(file, `${body}\nexport const done = { history, tr, va, te, yhat, scores: [rmse(yhat, te.y), phm08Score(yhat, te.y)] };\n`);
    const { done } = (await import(/* @vite-ignore */ file)) as {
      done: { history: { epochs: unknown[]; values(k: string): number[] }; tr: { x: { shape: number[] } }; te: { x: { shape: number[] } }; yhat: { shape: number[] }; scores: number[] };
    };
    expect(done.history.epochs).toHaveLength(3);
    expect(done.history.values('valPhm08').every(Number.isFinite)).toBe(true);
    expect(done.tr.x.shape.slice(1)).toEqual([14, 30]);
    expect(done.yhat.shape).toEqual([done.te.x.shape[0], 1]);
    expect(done.scores.every(Number.isFinite)).toBe(true);
  });

  it('runs the "Serving a model folder" example (a folder keel train wrote)', async () => {
    const { code, file } = example('## Serving a model folder', 'readme-folder');
    const folder = `${dir}models/rul`;
    const trained = await runCli(['train', '--data', 'runtofailure', '--units', '6', '--epochs', '1', '--out', folder], captureIO());
    expect(trained).toBe(0);
    const body = code.replace("from 'keel'", "from '../../src/index.js'").replace("'models/rul'", JSON.stringify(folder)).replace('console.log(', 'void (');
    writeFileSync(file, `${body}\nexport const done = { predictions, withSpread };\n`);
    const { done } = (await import(/* @vite-ignore */ file)) as { done: { predictions: Array<{ value: number }>; withSpread: { value: number; std: number } } };
    expect(done.predictions).toHaveLength(2);
    expect(done.predictions.every((p) => Number.isFinite(p.value))).toBe(true);
    expect(done.withSpread.std).toBeGreaterThan(0);
  });

  it('runs the "Using the kernels" example (a conv1d through the kernel set)', async () => {
    const { code, file } = example('## Using the kernels', 'readme-kernels', 'js');
    writeFileSync(file, `${code.replace("from 'keel'", "from '../../src/index.js'").replaceAll('console.log(', 'void (')}\nexport const done = { y };\n`);
    const { done } = (await import(/* @vite-ignore */ file)) as { done: { y: Float32Array } };
    expect([done.y[0], done.y[1], done.y[29], done.y.at(-1)]).toEqual([14, 21, 14, 14]);
  });
});
