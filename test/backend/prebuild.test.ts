// Where the addon is looked for: KEEL_ADDON_PATH alone, else the local builds (a contributor's, or what
// `keel build` made), then the prebuild for this platform — prebuilds/<platform>-<arch>-<libc> with the
// C library read from Node's report — and, when none loads, the JS reference with one warning that
// lists what was tried and the command that builds the addon from source.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_FROM_SOURCE, addonCandidates, linuxLibc, loadBackend, packageRoot, prebuildTag } from '../../src/backend/loader.js';
import { addon } from '../helpers/backends.js';

const repo = resolve(import.meta.dirname, '../..');

/** A package root holding the given addon files (symlinks to the built addon). */
function fakeRoot(files: string[], target: string): string {
  const root = mkdtempSync(join(tmpdir(), 'keel-prebuild-'));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    symlinkSync(target, join(root, f));
  }
  return root;
}

describe('addon candidates', () => {
  it('are the local builds first, then the prebuild for the platform', () => {
    expect(addonCandidates('/pkg', 'linux-arm64-glibc')).toEqual([
      '/pkg/build/Release/keel.node',
      '/pkg/build/Debug/keel.node',
      '/pkg/build-cmake/Release/keel.node',
      '/pkg/prebuilds/linux-arm64-glibc/keel.node',
    ]);
  });

  it('default to the package root and this process platform', () => {
    expect(packageRoot()).toBe(repo);
    const candidates = addonCandidates();
    expect(candidates[0]).toBe(join(repo, 'build/Release/keel.node'));
    expect(candidates.at(-1)).toBe(join(repo, 'prebuilds', prebuildTag(), 'keel.node'));
  });

  it('KEEL_ADDON_PATH is the only candidate', () => {
    const warnings: string[] = [];
    const only = join(tmpdir(), 'keel-no-such-dir', 'keel.node');
    loadBackend({ env: { KEEL_ADDON_PATH: only }, warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.match(/^ {2}\//gm)).toHaveLength(1);
    expect(warnings[0]).toContain(`${only}: not found`);
  });
});

describe('the libc tag', () => {
  it('is glibc when the report header names a glibc runtime, musl otherwise', () => {
    expect(linuxLibc({ glibcVersionRuntime: '2.36' })).toBe('glibc');
    expect(linuxLibc({})).toBe('musl');
    expect(prebuildTag('linux', 'arm64', 'musl')).toBe('linux-arm64-musl');
    expect(prebuildTag('linux', 'x64', 'glibc')).toBe('linux-x64-glibc');
    expect(prebuildTag('darwin', 'arm64')).toBe('darwin-arm64');
  });

  it.runIf(process.platform === 'linux')('matches what getconf says about this machine, and leaves the report settings as they were', () => {
    const before = (process.report as { excludeNetwork?: boolean }).excludeNetwork;
    const getconf = spawnSync('getconf', ['GNU_LIBC_VERSION'], { encoding: 'utf8' });
    const glibc = getconf.status === 0 && getconf.stdout.startsWith('glibc');
    expect(linuxLibc()).toBe(glibc ? 'glibc' : 'musl');
    expect(prebuildTag()).toBe(`linux-${process.arch}-${glibc ? 'glibc' : 'musl'}`);
    expect((process.report as { excludeNetwork?: boolean }).excludeNetwork).toBe(before);
  });
});

describe('the fallback warning', () => {
  it('names every place tried, the platform prebuild among them, and the build-from-source command, once', () => {
    const root = mkdtempSync(join(tmpdir(), 'keel-prebuild-'));
    const warnings: string[] = [];
    const b = loadBackend({ env: {}, candidates: addonCandidates(root, 'linux-x64-musl'), warn: (m) => warnings.push(m) });
    expect(b.info.backend).toBe('js');
    expect(warnings).toHaveLength(1);
    const lines = warnings[0]!.split('\n');
    expect(lines[0]).toBe('keel: native addon not loaded, using the JS reference kernels (slow). Tried:');
    expect(lines.slice(1, 5)).toEqual(addonCandidates(root, 'linux-x64-musl').map((p) => `  ${p}: not found`));
    expect(lines[5]).toBe(`For native speed, build the addon from source with \`${BUILD_FROM_SOURCE}\` (needs a C++17 compiler, make and Python 3).`);
    expect(BUILD_FROM_SOURCE).toBe('npx keel build');
  });
});

describe.skipIf(!addon)('loading in order', () => {
  const built = join(repo, 'build/Release/keel.node');
  const prebuild = `prebuilds/${prebuildTag()}/keel.node`;

  it('loads the prebuild when there is no local build, and reports its path', () => {
    const root = fakeRoot([prebuild], built);
    const warnings: string[] = [];
    const b = loadBackend({ env: {}, candidates: addonCandidates(root), warn: (m) => warnings.push(m) });
    expect(b.info.backend).toBe('native');
    expect(b.info.addonPath).toBe(join(root, prebuild));
    expect(warnings).toEqual([]);
  });

  it('prefers a local build to the prebuild', () => {
    const root = fakeRoot([prebuild, 'build-cmake/Release/keel.node'], built);
    const b = loadBackend({ env: {}, candidates: addonCandidates(root), warn: () => {} });
    expect(b.info.addonPath).toBe(join(root, 'build-cmake/Release/keel.node'));
  });
});
