/**
 * `npm run check:package`: packs keel and checks the tarball a user would install: it must carry every
 * prebuilt addon (scripts/prebuild.mjs, run `npm run build:prebuilds` first). publint checks the
 * package.json fields against the files really packed; @arethetypeswrong/cli checks the types each
 * resolver finds; and the file list must hold no tests, fixtures, benchmarks, build debris, source
 * maps, or dist outputs whose source no longer exists (tsc never deletes them). Prints the tarball's
 * size and file count; exits 1 on any finding.
 *
 * attw profile: node16 with only the cjs-resolves-to-esm rule ignored. keel is one ESM build that
 * CommonJS loads through require(esm) (Node ^20.19 || >=22.12, our `engines`); attw's bundled
 * TypeScript (5.6) predates require(esm) and flags every require of ESM as an error. `--profile
 * esm-only` would drop the whole node16-from-CJS column; ignoring the one rule keeps the rest of it
 * checked (types found, named exports, masquerading formats). node10 resolution is out of `engines`.
 * The consumer test compiles a `.cts` with TypeScript's own nodenext rules, which allow require(esm).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describePack, pack, root } from './pack.mjs';
import { PREBUILDS } from './prebuild.mjs';

/** Paths a user never needs: tests, fixtures, benchmarks, native tests, build output, maps. */
const UNWANTED = /^(test|bench|src|build|build-[^/]*|native\/(test|bench))\/|(^|\/)(fixtures|__pycache__)\/|\.map$|\.tsbuildinfo$|\.tgz$/;

/** dist/a/b.js and dist/a/b.d.ts come from src/a/b.ts (.mjs/.d.mts from .mts). */
function sourceOf(path) {
  const m = /^dist\/(.*?)(\.d)?\.(m?)(js|ts)$/.exec(path);
  return m ? join(root, 'src', `${m[1]}.${m[3]}ts`) : null;
}

const dir = mkdtempSync(join(tmpdir(), 'keel-check-package-'));
let failed = false;
const fail = (message) => {
  console.error(`check:package: ${message}`);
  failed = true;
};

try {
  const info = pack(dir);
  console.log(`${info.filename}: ${describePack(info)}`);

  const paths = info.files.map((f) => f.path);
  const unwanted = paths.filter((p) => UNWANTED.test(p));
  if (unwanted.length) fail(`files a user does not need are packed (fix "files" in package.json):\n  ${unwanted.join('\n  ')}`);
  const prebuilds = Object.keys(PREBUILDS).map((tag) => `prebuilds/${tag}/keel.node`);
  const absent = prebuilds.filter((p) => !paths.includes(p));
  if (absent.length) fail(`prebuilt addons missing from the tarball (run \`npm run build:prebuilds\` first):\n  ${absent.join('\n  ')}`);
  else console.log(`prebuilds: ${prebuilds.map((p) => `${p} ${(info.files.find((f) => f.path === p).size / 1e6).toFixed(2)} MB`).join(', ')}`);
  const orphans = paths.filter((p) => sourceOf(p) !== null && !existsSync(sourceOf(p)));
  if (orphans.length) fail(`dist/ holds outputs of deleted sources (rm -rf dist and rebuild):\n  ${orphans.join('\n  ')}`);

  const bytes = readFileSync(info.tarball);
  const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball }, strict: true });
  console.log(`publint: ${messages.length === 0 ? 'clean' : `${messages.length} finding(s)`}`);
  for (const m of messages) console.log(`  ${m.type}: ${formatMessage(m, pkg)}`);
  if (messages.some((m) => m.type !== 'suggestion')) fail('publint found errors or warnings');

  const attw = spawnSync(
    process.execPath,
    [join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js'), info.tarball, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table'],
    { stdio: 'inherit' },
  );
  if (attw.status !== 0) fail(`@arethetypeswrong/cli exited with ${attw.status ?? attw.signal}`);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(failed ? 'check:package: FAILED' : 'check:package: ok');
process.exit(failed ? 1 : 0);
