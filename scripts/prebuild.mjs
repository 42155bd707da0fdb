/**
 * `npm run build:prebuilds`: the prebuilt addons the package ships, prebuilds/<tag>/keel.node (the
 * folder name is the loader's prebuildTag()), made by the project's own builds on a linux-x64 machine:
 *   linux-x64-glibc    node-gyp's build/Release/keel.node (scripts/build-addon.mjs, incremental), scalar +
 *                      AVX2 + AVX-512 with runtime dispatch
 *   linux-arm64-glibc  cmake-js with cmake/aarch64-linux-gnu.cmake (Debian's g++-aarch64-linux-gnu) into
 *                      build-arm64/, scalar + NEON. cmake-js rather than node-gyp: node-gyp always
 *                      builds into ./build (the contributor's x64 addon). .ci/neon builds and tests the
 *                      NEON kernels in the same tree with the same arguments, so after it this is a link.
 * (Not `npm run prebuild`: npm would run a script of that name before every `npm run build`.)
 * Each file is copied with its debug info stripped (the matching binutils' strip; Release builds carry
 * none today, so this guards the tarball's size rather than shrinking it) and then checked: an ELF of
 * the right machine (e_machine 62 x86-64, 183 aarch64) that exports napi_register_module_v1 and holds
 * a kernel variant for every CPU level of its architecture. The x64 one is loaded, and each level this
 * CPU supports must give that level's kernels; the arm64 one is dlopen()ed under qemu-user when it is
 * installed (dlopenUnderQemu). Prints each file's size before and after stripping and the newest glibc
 * and libstdc++ symbol versions it needs (the oldest Linux it loads on).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from './pack.mjs';

/** The prebuilds, by the loader's platform tag. */
export const PREBUILDS = {
  'linux-x64-glibc': {
    machine: 62,
    tools: '',
    isas: ['scalar', 'avx2', 'avx512'],
    built: join(root, 'build/Release/keel.node'),
    build: [process.execPath, [join(root, 'scripts/build-addon.mjs')]],
  },
  'linux-arm64-glibc': {
    machine: 183,
    tools: 'aarch64-linux-gnu-',
    isas: ['scalar', 'neon'],
    built: join(root, 'build-arm64/Release/keel.node'),
    build: [
      join(root, 'node_modules/.bin/cmake-js'),
      ['build', '--out', 'build-arm64', '--arch', 'arm64', '--target', 'keel', '--parallel', String(availableParallelism()),
        `--CDCMAKE_TOOLCHAIN_FILE=${join(root, 'cmake/aarch64-linux-gnu.cmake')}`],
    ],
  },
};

/** Runs a command in the package root; returns its stdout, throws with its output when it fails. */
function run(command, args, stdio = 'pipe') {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` exited with ${r.status ?? r.signal ?? r.error?.message}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r.stdout;
}

/** The ELF header's e_machine (offset 18, little-endian u16), or throws when the file is not a 64-bit little-endian ELF. */
function elfMachine(path) {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) throw new Error(`${path} is not a 64-bit little-endian ELF file`);
  return header.readUInt16LE(18);
}

/**
 * Loads a cross-built addon the way Node would on its architecture, minus Node: a probe program
 * defines every N-API function the addon imports (as stubs that are never called) and dlopen()s it with
 * RTLD_NOW under qemu-user with Debian's cross libraries, so every other symbol must bind against the
 * target's libc, libm, libgcc_s and libstdc++ and the addon's static constructors run; then it looks up
 * napi_register_module_v1.
 */
function dlopenUnderQemu(path, tools, qemu) {
  const napi = run(`${tools}nm`, ['-D', '--undefined-only', path]).match(/\b(napi|node_api)_\w+/g) ?? [];
  const dir = mkdtempSync(join(tmpdir(), 'keel-probe-'));
  try {
    writeFileSync(join(dir, 'probe.c'), `#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
${[...new Set(napi)].map((name) => `void *${name}(void) { abort(); }`).join('\n')}
int main(int argc, char **argv) {
  void *addon = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!addon) { fprintf(stderr, "%s\\n", dlerror()); return 1; }
  if (!dlsym(addon, "napi_register_module_v1")) { fprintf(stderr, "no napi_register_module_v1\\n"); return 2; }
  return 0;
}
`);
    run(`${tools}gcc`, ['-rdynamic', '-o', join(dir, 'probe'), join(dir, 'probe.c'), '-ldl']);
    run(qemu, ['-L', `/usr/${tools.slice(0, -1)}`, join(dir, 'probe'), path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return `dlopen(RTLD_NOW) under ${basename(qemu)} with ${new Set(napi).size} N-API imports stubbed`;
}

/** Checks one prebuild; returns what was found. */
function verify(tag, { machine, tools, isas }, path) {
  const found = elfMachine(path);
  if (found !== machine) throw new Error(`${path}: e_machine ${found}, expected ${machine} for ${tag}`);
  const dynamic = run(`${tools}readelf`, ['-W', '--dyn-syms', path]);
  if (!/\bFUNC\s+GLOBAL\s+DEFAULT\s+\d+\s+napi_register_module_v1$/m.test(dynamic)) throw new Error(`${path} does not export napi_register_module_v1`);
  // Kernel variants are named keel::<kernel>__<isa>(...) (native/src/*/f32-*-<isa>.cc).
  const symbols = run(`${tools}nm`, ['-C', path]);
  const missing = isas.filter((isa) => !symbols.includes(`__${isa}(`));
  if (missing.length) throw new Error(`${path} holds no ${missing.join(', ')} kernels`);
  const newest = (prefix) => [...new Set(dynamic.match(new RegExp(`${prefix}_[0-9.]+`, 'g')) ?? [])]
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
  let loaded = 'not loaded: qemu-user is not installed';
  // qemu-aarch64 is Debian's qemu-user (.ci/neon installs it).
  const qemu = tools && ['qemu-aarch64', 'qemu-aarch64-static'].find((q) => spawnSync('sh', ['-c', `command -v ${q}`]).status === 0);
  if (qemu) loaded = dlopenUnderQemu(path, tools, qemu);
  if (tag === `${process.platform}-${process.arch}-glibc`) {
    const addon = createRequire(import.meta.url)(path);
    const supported = addon.supportedIsas();
    for (const isa of supported) {
      // "any": a kernel whose one variant serves every level (gatherRows, a copy).
      const variants = new Set(Object.values(addon.kernelSet(isa).variants).filter((v) => v !== 'any'));
      if (variants.size !== 1 || !variants.has(isa)) throw new Error(`${path}: kernelSet('${isa}') gives ${[...variants].join(', ')} kernels`);
    }
    loaded = `loaded; ${supported.join(', ')} kernels selected by level on this CPU`;
  }
  return `e_machine ${found}, exports napi_register_module_v1, kernels ${isas.join(' + ')}, needs ${newest('GLIBC')} and ${newest('GLIBCXX')}; ${loaded}`;
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`prebuild runs on linux-x64 (it cross-builds arm64), not ${process.platform}-${process.arch}`);
  rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
  for (const [tag, target] of Object.entries(PREBUILDS)) {
    const t0 = performance.now();
    if (spawnSync('sh', ['-c', `command -v ${target.tools}g++`]).status !== 0) {
      throw new Error(`${tag} needs ${target.tools}g++ on PATH${target.tools ? ` (Debian: bash .ci/apt-install g++-${target.tools.slice(0, -1)})` : ''}`);
    }
    const [command, args] = target.build;
    run(command, args, ['ignore', 'inherit', 'inherit']);
    const dest = join(root, 'prebuilds', tag, 'keel.node');
    mkdirSync(join(dest, '..'), { recursive: true });
    run(`${target.tools}strip`, ['--strip-debug', '-o', dest, target.built]);
    const note = verify(tag, target, dest);
    const seconds = ((performance.now() - t0) / 1e3).toFixed(1);
    console.log(`prebuild: prebuilds/${tag}/keel.node ${mb(statSync(target.built).size)} (${mb(statSync(dest).size)} without debug info), ${seconds} s: ${note}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`prebuild: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
