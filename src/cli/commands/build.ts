/**
 * `keel build`: compiles the native addon from source in keel's own folder, the opt-in way to native
 * speed where no prebuilt addon fits (musl, macOS, Windows, an older glibc) or to build for this exact
 * machine. It runs `node-gyp rebuild` in the package root — keel's own node_modules/.bin/node-gyp when
 * it has one (a checkout), else `npx --yes node-gyp@12` — which writes build/Release/keel.node, the
 * first place the loader looks, ahead of the prebuild. The package ships the native sources and its
 * binding.gyp as native/binding.gyp, which is put at the root only while node-gyp runs: a binding.gyp
 * at the root of an installed package makes npm infer an install script that compiles it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../backend/loader.js';
import { BackendError } from '../../errors.js';
import { defineCommand } from '../args.js';
import { UsageError } from '../errors.js';

/** The node-gyp command line for `keel build`. */
export function nodeGypCommand(root: string, jobs: string, env: Record<string, string | undefined> = process.env): { command: string; args: string[] } {
  const own = join(root, 'node_modules', '.bin', 'node-gyp');
  const [command, ...args]: string[] = existsSync(own) ? [own] : ['npx', '--yes', 'node-gyp@12'];
  args.push('rebuild', '--jobs', jobs);
  // node-gyp needs Node's headers: npm hands it its `nodedir` setting; otherwise the headers installed
  // beside node (Debian's nodejs, the official tarballs) spare a download that fails offline.
  const prefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) args.push(`--nodedir=${prefix}`);
  return { command: command!, args };
}

export const build = defineCommand({
  name: 'build',
  summary: 'compile the native addon from source (where no prebuilt addon fits)',
  usage: `Usage: keel build [--jobs N]

Compiles keel's native addon from source with node-gyp (keel's own, or node-gyp 12 through npx)
into build/Release/keel.node in keel's folder; keel loads it from then on, ahead of the prebuilt
addon. Needed only where keel falls back to its JS kernels (keel info says "backend js"): a
platform without a prebuilt addon, such as musl, macOS or Windows.

Requires a C++17 compiler (g++ 8+ or clang 7+; Visual Studio 2019+ on Windows), make, and
Python 3 (node-gyp's), plus the network when npx has to fetch node-gyp or Node's headers.

Options:
  --jobs N     parallel compile jobs: a number, or max for one per core (default max)
  -h, --help   this text

Examples:
  npx keel build
  npx keel build --jobs 2 && npx keel info
`,
  options: { jobs: { type: 'string', default: 'max' } },
  async run(values, _positionals, io) {
    const jobs = values.jobs.trim();
    if (jobs !== 'max' && !(/^\d+$/.test(jobs) && Number(jobs) >= 1 && Number(jobs) <= 1024)) {
      throw new UsageError(`--jobs must be max or an integer in [1, 1024], got "${values.jobs}"`);
    }
    const root = packageRoot();
    const { command, args } = nodeGypCommand(root, jobs);
    // An installed package carries it as native/binding.gyp (scripts/prepack.mjs says why); a checkout has it at the root.
    const gyp = join(root, 'binding.gyp'), placed = !existsSync(gyp);
    if (placed) copyFileSync(join(root, 'native', 'binding.gyp'), gyp);
    io.err.write(`keel build: ${command} ${args.join(' ')} (in ${root})\n`);
    let status: number | string;
    try {
      const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(io.err, { end: false });
      child.stderr.pipe(io.err, { end: false });
      status = await new Promise<number | string>((done, failed) => {
        child.once('error', failed);
        child.once('close', (code, signal) => done(code ?? signal ?? 'unknown'));
      });
    } finally {
      if (placed) rmSync(gyp, { force: true });
    }
    if (status !== 0) throw new BackendError(`node-gyp exited with ${status}; it needs a C++17 compiler, make and Python 3 (see its output above)`);
    const addon = join(root, 'build', 'Release', 'keel.node');
    if (!existsSync(addon)) throw new BackendError(`node-gyp succeeded but ${addon} is missing`);
    io.out.write(`built ${addon}: keel loads it from its next start (check with keel info)\n`);
    return 0;
  },
});
