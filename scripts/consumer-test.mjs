/**
 * The consumer test (issue 11; `npm run test:consumer`, run by CI): packs keel and installs the tarball
 * into a fresh project the way a user would — `npm install --ignore-scripts`, with a PATH that holds only
 * node, npm, npx and sh, so no C++ compiler, make or Python could run — then checks that the install built
 * nothing, that `import` and `require` give the same API, that a typed program compiles with
 * `tsc --strict` (module/moduleResolution nodenext, as .mts and as .cts), that `npx keel info` runs and
 * that a one-epoch fit trains, and that a program's loadModelFolder predicts what `npx keel predict` prints
 * for a folder `npx keel train` wrote. The native backend must load from the prebuild shipped in the package;
 * the packed package.json must have no install script and "gypfile": false, and a second install with
 * scripts enabled must compile nothing; with the prebuild deleted, the JS fallback must train and warn
 * once. TypeScript and @types/node come from this checkout's node_modules, so
 * the test needs the network only for keel's dependencies that are not in npm's cache.
 * Each step prints its time; the first failure prints what failed with its output, keeps the project
 * folder for a look, and exits 1.
 *
 *   node scripts/consumer-test.mjs [--node FILE] [--tarball FILE]
 *
 * --node runs the consumer's side (npm, tsc, keel) on another Node binary, to check the versions that
 * package.json's "engines" promises (CI: the lowest of the 22 line and the newest LTS); --tarball
 * installs an already packed keel instead of packing again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describePack, pack, root } from './pack.mjs';

const { values: args } = parseArgs({ options: { node: { type: 'string' }, tarball: { type: 'string' } } });
const work = realpathSync(mkdtempSync(join(tmpdir(), 'keel-consumer-'))); // real, as the addonPath keel reports
const app = join(work, 'app');
const started = performance.now();

/** Runs one step, printing its name and time; on failure prints why and exits 1. */
async function step(name, fn) {
  const t0 = performance.now();
  try {
    const note = await fn();
    console.log(`ok   ${name} (${((performance.now() - t0) / 1e3).toFixed(1)} s)${note ? `: ${note}` : ''}`);
  } catch (e) {
    console.error(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}\n(the project is kept in ${work})`);
    process.exit(1);
  }
}

/** Runs a command to completion; throws with its output when it exits non-zero. */
function run(command, args, options = {}) {
  const r = spawnSync(command, args, { cwd: app, env: consumerEnv, encoding: 'utf8', ...options });
  if (r.status !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` exited with ${r.status ?? r.signal ?? r.error?.message}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  return r;
}

/** The real path of `name` on the caller's PATH. */
function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (existsSync(join(dir, name))) return realpathSync(join(dir, name));
  }
  throw new Error(`${name} is not on PATH`);
}

// A bin folder with node, npm, npx and sh (npx runs bins through it) only: node's own folder is
// often /usr/bin, which holds g++ too.
const bin = join(work, 'bin');
mkdirSync(bin);
symlinkSync(resolve(args.node ?? process.execPath), join(bin, 'node'));
const npmCli = which('npm');
symlinkSync(npmCli, join(bin, 'npm'));
symlinkSync(join(dirname(npmCli), 'npx-cli.js'), join(bin, 'npx'));
symlinkSync(which('sh'), join(bin, 'sh'));
// The user's environment: none of the lower-case variables `npm run` sets (npm_config_local_prefix
// would point the inner npm at this checkout) or keel's overrides leak in; a CI's own NPM_CONFIG_* stay.
const consumerEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|KEEL_)/.test(k)));
consumerEnv.PATH = bin;

const TOOLS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'make', 'python3', 'python'];
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const FILES = {
  'package.json': JSON.stringify({ name: 'keel-consumer', private: true, type: 'module' }, null, 2),
  'api.mjs': `import * as keel from 'keel';\nconsole.log(JSON.stringify({ names: Object.keys(keel).sort(), backend: keel.backendInfo().backend }));\n`,
  'backend.mjs': `import { backendInfo } from 'keel';\nconsole.log(JSON.stringify(backendInfo()));\n`,
  'api.cjs': `const keel = require('keel');\nconsole.log(JSON.stringify({ names: Object.keys(keel).sort(), backend: keel.backendInfo().backend }));\n`,
  // The typed program: a tiny MLP fitted for one epoch, with keel's types on every value.
  'fit.mts': `import { backendInfo, fit, manualSeed, nn, randn, type FitHistory, type Tensor } from 'keel';

manualSeed(0);
const model: nn.Module = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
const x: Tensor = randn([64, 4]);
const y: Tensor = randn([64, 1]);
const history: FitHistory = await fit(model, { x, y, epochs: 1, batchSize: 16, verbose: false });
const loss: number | undefined = history.epochs[0]?.loss;
if (history.epochs.length !== 1 || loss === undefined || !Number.isFinite(loss)) {
  throw new Error(\`fit: expected one epoch with a finite loss, got \${JSON.stringify(history.epochs)}\`);
}
console.log(JSON.stringify({ backend: backendInfo().backend, epochs: history.epochs.length, loss }));
`,
  // A server's use of a folder keel train wrote: the last window of two test engines, as keel predict --last gives it.
  'serve.mjs': `import { datasets, loadModelFolder } from 'keel';

const folder = await loadModelFolder('model');
const { test } = datasets.runToFailure({ testUnits: 2 });
const engines = test.units.map((unit) => {
  const v = unit.values.toArray(), w = test.columns.length;
  return Array.from({ length: v.length / w }, (_, t) => Object.fromEntries(test.columns.map((name, c) => [name, v[t * w + c]])));
});
console.log(JSON.stringify((await folder.predict(engines)).map((p) => p.value.toFixed(3))));
`,
  // CommonJS with types: TypeScript's nodenext allows require() of an ES module (require(esm)).
  'typed.cts': `import keel = require('keel');

const t: keel.Tensor = keel.tensor([1, 2, 3]);
console.log(JSON.stringify({ shape: t.shape }));
`,
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        skipLibCheck: false, // keel's own .d.ts files are checked too
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        outDir: 'out',
      },
      files: ['fit.mts', 'typed.cts'],
    },
    null,
    2,
  ),
};

/** How many times a process printed keel's fallback warning (KEEL_NO_NATIVE). */
const fallbackWarnings = (stderr) => stderr.split('KEEL_NO_NATIVE').length - 1;

/** Fails if installing the package compiled anything in it. */
function expectNothingBuilt(pkg) {
  const built = ['build', 'build-cmake'].filter((d) => existsSync(join(pkg, d)));
  if (built.length) throw new Error(`the install built something: ${built.join(', ')} in ${pkg}`);
}

let info;
if (args.tarball) {
  info = { tarball: resolve(args.tarball), filename: basename(args.tarball) };
} else {
  await step('npm pack (runs prepare: the addon build, up to date, then tsc)', () => {
    info = pack(work);
    return `${info.filename}, ${describePack(info)}`;
  });
}

await step('a fresh project; PATH holds no compiler', () => {
  const version = spawnSync('node', ['--version'], { env: consumerEnv, encoding: 'utf8' }).stdout.trim();
  mkdirSync(app);
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(app, name), text);
  // What the install's shell would find: nothing, or the PATH is not what this test means it to be.
  const found = spawnSync('sh', ['-c', TOOLS.map((t) => `command -v ${t};`).join(' ')], { env: consumerEnv, encoding: 'utf8' }).stdout.trim();
  if (found) throw new Error(`the install PATH holds build tools:\n${found}`);
  return `Node ${version}; PATH=${bin} (${readdirSync(bin).join(', ')})`;
});

await step('npm install --ignore-scripts <tarball>', () => {
  run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', info.tarball]);
  expectNothingBuilt(join(app, 'node_modules/keel'));
  return 'nothing compiled (no build/ in node_modules/keel)';
});

let backend;
await step('import and require give the same API', () => {
  const esm = run('node', ['api.mjs']);
  const cjs = run('node', ['api.cjs']);
  const a = JSON.parse(esm.stdout), b = JSON.parse(cjs.stdout);
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`import gives ${a.names.length} names on ${a.backend}, require ${b.names.length} on ${b.backend}`);
  }
  backend = a.backend;
  // The fallback to the JS reference warns exactly once per process; the native backend does not warn.
  const warnings = fallbackWarnings(esm.stderr);
  if (warnings !== (backend === 'js' ? 1 : 0)) throw new Error(`backend ${backend} warned ${warnings} times:\n${esm.stderr}`);
  return `${a.names.length} names, backend ${backend}`;
});

// The package ships prebuilt addons and no install script: the native backend must come from the
// prebuild for this platform, and an install that does run scripts must compile nothing either.
const keelDir = join(app, 'node_modules/keel');
const prebuild = join(keelDir, 'prebuilds', `${process.platform}-${process.arch}-glibc`, 'keel.node');

/** backendInfo() in a fresh process (with `env` added), with the KEEL_NO_NATIVE warnings it printed. */
function backendOf(env = {}) {
  const r = run('node', ['backend.mjs'], { env: { ...consumerEnv, ...env } });
  return { ...JSON.parse(r.stdout), warnings: fallbackWarnings(r.stderr), stderr: r.stderr };
}

/** Fails unless the native backend loads from the prebuild without a warning; says what loaded. */
function expectPrebuild() {
  const b = backendOf();
  if (b.backend !== 'native' || b.addonPath !== prebuild || b.warnings !== 0) {
    throw new Error(`expected the native backend from ${prebuild}, got ${b.backend} from ${b.addonPath}, ${b.warnings} warning(s)\n${b.stderr}`);
  }
  return { levels: b.supportedIsas, note: `native (${b.isa}) from ${b.addonPath.slice(app.length + 1)}` };
}

await step('the native backend loads from the prebuild, with every CPU level', () => {
  const { levels, note } = expectPrebuild();
  // Runtime dispatch: each level this CPU supports, forced with KEEL_CPU, runs that level's kernels.
  for (const isa of levels) {
    // "any": a kernel whose one variant serves every level (gatherRows, a copy).
    const variants = [...new Set(Object.values(backendOf({ KEEL_CPU: isa }).variants).filter((v) => v !== 'any'))];
    if (variants.join() !== isa) throw new Error(`KEEL_CPU=${isa} runs ${variants.join(', ')} kernels`);
  }
  return `${note}; KEEL_CPU=${levels.join('|')} each runs its own kernels`;
});

await step('the packed package.json runs nothing at install', () => {
  const packed = JSON.parse(readFileSync(join(keelDir, 'package.json'), 'utf8'));
  const scripts = ['preinstall', 'install', 'postinstall'].filter((s) => s in (packed.scripts ?? {}));
  if (scripts.length) throw new Error(`the packed package.json has install scripts: ${scripts.join(', ')}`);
  // A binding.gyp at the package root makes npm infer `node-gyp rebuild` as its install script (npm 11
  // does so whatever "gypfile" says, once scripts are approved): it travels as native/binding.gyp.
  if (existsSync(join(keelDir, 'binding.gyp'))) throw new Error('binding.gyp is packed at the package root, where npm infers an install script from it');
  if (!existsSync(join(keelDir, 'native', 'binding.gyp'))) throw new Error('native/binding.gyp, which keel build needs, is not packed');
  return 'no preinstall/install/postinstall; binding.gyp only as native/binding.gyp';
});

await step('npm install <tarball> WITHOUT --ignore-scripts (still no compiler on PATH)', () => {
  rmSync(keelDir, { recursive: true, force: true });
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', info.tarball]);
  expectNothingBuilt(keelDir);
  return `nothing compiled; ${expectPrebuild().note}`;
});

await step('tsc --strict (nodenext): fit.mts and typed.cts', () => {
  run('node', [tsc, '-p', 'tsconfig.json']);
  const typed = JSON.parse(run('node', ['out/typed.cjs']).stdout);
  if (typed.shape.join() !== '3') throw new Error(`typed.cjs: expected shape [3], got ${JSON.stringify(typed.shape)}`);
});

await step('npx keel info', () => {
  const out = JSON.parse(run('npx', ['--no', 'keel', 'info', '--json']).stdout);
  if (out.backend !== backend) throw new Error(`keel info says backend ${out.backend}, the API said ${backend}`);
  return `keel ${out.version}, ${out.platform}, backend ${out.backend}, isa ${out.isa}`;
});

await step('one-epoch fit of a tiny MLP', () => {
  const out = JSON.parse(run('node', ['out/fit.mjs']).stdout);
  return `loss ${out.loss.toFixed(4)} on ${out.backend}`;
});

await step('npx keel train, then loadModelFolder in a program gives what keel predict prints', () => {
  run('npx', ['--no', 'keel', 'train', '--data', 'runtofailure', '--units', '6', '--epochs', '1', '--out', 'model', '--json']);
  const served = JSON.parse(run('node', ['serve.mjs']).stdout);
  const printed = run('npx', ['--no', 'keel', 'predict', '--model', 'model', '--data', 'runtofailure', '--units', '2', '--last']).stdout;
  const cli = printed.trim().split('\n').slice(1).map((line) => line.split(',')[2]);
  if (JSON.stringify(served) !== JSON.stringify(cli)) throw new Error(`loadModelFolder predicted ${served}, keel predict printed ${cli}`);
  return `RUL ${served.join(', ')} cycles`;
});

await step('without the prebuild: the JS fallback trains and warns once', () => {
  rmSync(join(prebuild, '..'), { recursive: true });
  const b = backendOf();
  if (b.backend !== 'js' || b.warnings !== 1 || !b.stderr.includes(`${prebuild}: not found`) || !b.stderr.includes('npx keel build')) {
    throw new Error(`expected the JS backend with one warning naming ${prebuild} and \`npx keel build\`, got ${b.backend}, ${b.warnings} warning(s):\n${b.stderr}`);
  }
  const fitted = run('node', ['out/fit.mjs']);
  const out = JSON.parse(fitted.stdout), warnings = fallbackWarnings(fitted.stderr);
  if (out.backend !== 'js' || warnings !== 1) throw new Error(`fit on ${out.backend} printed ${warnings} fallback warnings:\n${fitted.stderr}`);
  return `loss ${out.loss.toFixed(4)} on js; the warning ends: ${b.stderr.match(/For native speed[^\n]*/)?.[0]}`;
});

rmSync(work, { recursive: true, force: true });
console.log(`consumer test passed in ${((performance.now() - started) / 1e3).toFixed(1)} s`);
