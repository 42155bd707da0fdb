// Guards `require('keel')`: one ESM build serves CommonJS users through require(esm) (Node 20.19+,
// 22.12+), which throws ERR_REQUIRE_ASYNC_MODULE as soon as any module in the static import graph
// uses top-level await. Two checks: TypeScript's parser walks the graph of src/index.ts and
// src/cli/main.ts (fresh sources, no build needed, names the file and line), and a child process
// `require`s the built package by name through `exports`, which also covers the dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The sources TypeScript compiles a relative `.js`/`.mjs`/`.cjs` specifier from. */
function resolveRelative(from: string, specifier: string): string {
  const target = resolve(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), target.replace(/\.cjs$/, '.cts'), target];
  const found = candidates.find((c) => existsSync(c) && !c.endsWith('.js'));
  if (found === undefined) throw new Error(`${from}: cannot resolve "${specifier}" to a source file`);
  return found;
}

/** Every `await` that runs when the module is evaluated: outside any function, `for await`, `await using`. */
function topLevelAwaits(file: ts.SourceFile): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    // A function body (or static block) is its own scope: an await in it runs when it is called.
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    const awaitUsing = ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier) || awaitUsing) found.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}

/**
 * Walks the static import graph from the entries (relative imports and re-exports; type-only ones
 * are erased by the compiler and dynamic import() is asynchronous, so neither is followed) and
 * returns `file:line` for every top-level await. Package imports are left to the require() check.
 */
function findTopLevelAwait(entries: string[]): { files: number; awaits: string[] } {
  const seen = new Set<string>();
  const awaits: string[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    if (path.endsWith('.json')) continue;
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const node of topLevelAwaits(file)) {
      awaits.push(`${relative(root, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    for (const s of file.statements) {
      const typeOnly = ts.isImportDeclaration(s) ? s.importClause?.isTypeOnly === true : ts.isExportDeclaration(s) && s.isTypeOnly;
      const spec = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && !typeOnly ? s.moduleSpecifier : undefined;
      if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) queue.push(resolveRelative(path, spec.text));
    }
  }
  return { files: seen.size, awaits };
}

describe('no top-level await in the graph require(esm) loads', () => {
  it('finds top-level awaits through imports and re-exports, and only those', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-tla-'));
    const files: Record<string, string> = {
      'a.ts': "import { b } from './b.js';\nexport * from './c.js';\nimport type { T } from './typed.js';\nexport const a = b;",
      'b.ts': "export const b = 1;\nexport async function later() { await null; for await (const x of []) void x; }\nexport const f = async () => await null;",
      'c.ts': "import './d.mjs';\nexport class C { static { void 0; } async m() { await null; } }",
      'd.mts': "export {};\nfor await (const x of [1]) void x;\nconst v = await Promise.resolve(1);\nawait using r = { async [Symbol.asyncDispose]() {} };\nexport { v };",
      'typed.ts': 'export type T = number;\nawait null;',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const { files: count, awaits } = findTopLevelAwait([join(dir, 'a.ts')]);
    expect(count).toBe(4); // a, b, c, d: the type-only import is not followed
    expect(awaits.map((a) => a.slice(a.lastIndexOf('/') + 1))).toEqual(['d.mts:2', 'd.mts:3', 'd.mts:4']);
  });

  it('src/index.ts and src/cli/main.ts import no module with a top-level await', () => {
    const { files, awaits } = findTopLevelAwait([join(root, 'src/index.ts'), join(root, 'src/cli/main.ts')]);
    expect(files).toBeGreaterThan(100); // the walk really followed the graph
    expect(awaits, `top-level await breaks require('keel') (ERR_REQUIRE_ASYNC_MODULE) at:\n${awaits.join('\n')}`).toEqual([]);
  });

  it("require('keel') of the build gives the same module as import('keel'), dependencies included", () => {
    if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build:ts` first');
    // Self-reference by package name: resolution goes through package.json `exports` like a user's would.
    const script = `
      const required = require('keel');
      require('./dist/cli/main.js');
      import('keel').then((imported) => {
        console.log(JSON.stringify({ same: required === imported, names: Object.keys(required).length, backend: required.backendInfo().backend }));
      });`;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: root,
      env: { ...process.env, KEEL_BACKEND: 'js', NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { same: boolean; names: number; backend: string };
    expect(result).toEqual({ same: true, names: expect.any(Number), backend: 'js' });
    expect(result.names).toBeGreaterThan(50);
  });
});
