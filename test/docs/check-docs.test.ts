// scripts/check-docs.mjs, the API reference's internal-link check: links to existing pages and ids pass;
// a missing page, a missing #id and a missing asset fail with exit 1, each named; external links are not
// followed; a folder without index.html exits 2.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../scripts/check-docs.mjs');
const root = mkdtempSync(join(tmpdir(), 'keel-check-docs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the script; resolves with its exit code and output (never rejects on a non-zero exit). */
async function check(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, dir], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A site shaped like TypeDoc's: index.html, classes/A.html with anchors, an asset. */
function site(name: string, indexBody: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'classes'), { recursive: true });
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'assets', 'style.css'), 'body {}');
  writeFileSync(
    join(dir, 'classes', 'A.html'),
    '<html><head><link rel="stylesheet" href="../assets/style.css"></head><body>' +
      '<h3 id="forward">forward</h3><a href="../index.html">home</a><a href="#forward">self</a></body></html>',
  );
  writeFileSync(join(dir, 'index.html'), `<html><body><a href="classes/A.html#forward">A.forward</a><a href="https://typedoc.org/">TypeDoc</a>${indexBody}</body></html>`);
  return dir;
}

describe('scripts/check-docs.mjs', () => {
  it('passes when every relative link and fragment resolves, and does not follow external links', async () => {
    const r = await check(site('good', '<a href="mailto:x@example.com">mail</a><a href="#">top</a>'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/check-docs: 2 pages, 0 broken internal links/);
  });

  it('fails on a missing page, a missing #id and a missing asset, naming each', async () => {
    const r = await check(site('bad', '<a href="classes/B.html">B</a><a href="classes/A.html#backward">A.backward</a><img src="assets/logo.png">'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('check-docs: index.html: classes/B.html: no such file');
    expect(r.stderr).toContain('check-docs: index.html: classes/A.html#backward: no id "backward" in classes/A.html');
    expect(r.stderr).toContain('check-docs: index.html: assets/logo.png: no such file');
    expect(r.stdout).toMatch(/3 broken internal links/);
  });

  it('exits 2 when the folder has no index.html', async () => {
    const r = await check(join(root, 'nothing-here'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/index\.html does not exist \(run npm run docs first\)/);
  });
});
