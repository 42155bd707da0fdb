// The README's model example must run as written (with 'keel' pointing at this checkout).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const dir = fileURLToPath(new URL('test/.tmp/', root));

describe('README', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the "Writing models" example', async () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const section = readme.slice(readme.indexOf('## Writing models'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    expect(code).toContain("from 'keel'");
    mkdirSync(dir, { recursive: true });
    const file = `${dir}readme-example.ts`;
    // Run it in a scratch directory so model.safetensors lands there.
    const body = code.replace("from 'keel'", "from '../../src/index.js'").replaceAll("'model.safetensors'", `'${dir}model.safetensors'`);
    writeFileSync(file, `${body}\nexport const done = { loss: loss.item(), shape: pred.shape };\n`);
    const { done } = (await import(/* @vite-ignore */ file)) as { done: { loss: number; shape: number[] } };
    expect(Number.isFinite(done.loss)).toBe(true);
    expect(done.shape).toEqual([32, 1]);
  });
});
