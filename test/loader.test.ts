// The loader: KEEL_BACKEND forces a backend (native forced but missing is an error), KEEL_CPU forces a
// CPU level (unsupported is an error), and without either the addon is tried at known locations with
// a single warning naming every place tried before falling back to the JS reference. Every problem with
// the environment or the addon is a BackendError; a loaded addon throws keel's own error classes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendInfo, kernels } from '../src/index.js';
import { setNumThreads } from '../src/backend/index.js';
import { loadBackend } from '../src/backend/loader.js';
import { KERNEL_NAMES, referenceKernels } from '../src/backend/kernel-set.js';
import { BackendError, OptionError, ShapeError } from '../src/errors.js';
import { addon } from './helpers/backends.js';
import { expectError } from './helpers/bad-args.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-loader-'));
const missing = join(dir, 'missing.node');
const garbage = join(dir, 'garbage.node');
writeFileSync(garbage, 'not an addon');
// Loads (require takes a .js path) but lacks setErrorClasses, as an addon built from older sources does.
const stale = join(dir, 'stale.js');
writeFileSync(stale, 'module.exports = { detectIsa: () => "scalar" };');
// Has setErrorClasses but predates cacheSizes.
const staleCaches = join(dir, 'stale-caches.js');
writeFileSync(staleCaches, 'module.exports = { detectIsa: () => "scalar", setErrorClasses() {} };');
// Has both but a kernel table from before linearForwardStats.
const staleKernels = join(dir, 'stale-kernels.js');
writeFileSync(
  staleKernels,
  `const names = ${JSON.stringify(KERNEL_NAMES.filter((n) => n !== 'linearForwardStats'))};\n` +
    'module.exports = { detectIsa: () => "scalar", setErrorClasses() {}, cacheSizes() {}, ' +
    'kernelSet: () => ({ kernels: Object.fromEntries(names.map((n) => [n, () => {}])), variants: {} }) };',
);

describe('loadBackend', () => {
  it('KEEL_BACKEND=js uses the reference kernels and reports it', () => {
    const b = loadBackend({ env: { KEEL_BACKEND: 'js' } });
    expect(b.kernels).toBe(referenceKernels);
    expect(b.info.backend).toBe('js');
    expect(b.info.isa).toBe('js');
    expect(Object.values(b.info.variants).every((v) => v === 'js')).toBe(true);
    expect(b.info.caches).toBeNull();
  });

  it('falls back to JS with one warning naming every place tried', () => {
    const warnings: string[] = [];
    const b = loadBackend({ env: {}, candidates: [missing, garbage], warn: (m) => warnings.push(m) });
    expect(b.info.backend).toBe('js');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${missing}: not found`);
    expect(warnings[0]).toContain(`${garbage}: `);
  });

  it('KEEL_BACKEND=native with no loadable addon is a BackendError, not a fallback', () => {
    expectError(() => loadBackend({ env: { KEEL_BACKEND: 'native' }, candidates: [missing], warn: () => {} }), BackendError,
      `keel: KEEL_BACKEND=native but the native addon could not be loaded. Tried:\n  ${missing}: not found`);
  });

  it('rejects unknown KEEL_BACKEND, KEEL_CPU and KEEL_NUM_THREADS values with a BackendError', () => {
    expectError(() => loadBackend({ env: { KEEL_BACKEND: 'gpu' } }), BackendError, 'keel: KEEL_BACKEND must be "js" or "native", got "gpu"');
    if (!addon) return;
    expectError(() => loadBackend({ env: { KEEL_CPU: 'sse9' } }), BackendError, 'keel: KEEL_CPU must be one of scalar, avx2, avx512, neon, got "sse9"');
    expectError(() => loadBackend({ env: { KEEL_NUM_THREADS: '0' } }), BackendError, 'keel: KEEL_NUM_THREADS must be an integer in [1, 1024], got "0"');
  });

  it('does not use an addon without setErrorClasses: it warns and falls back', () => {
    const warnings: string[] = [];
    const b = loadBackend({ env: {}, candidates: [stale], warn: (m) => warnings.push(m) });
    expect(b.info.backend).toBe('js');
    expect(warnings[0]).toContain(`${stale}: built from older keel sources (no setErrorClasses)`);
  });

  it('does not use an addon without cacheSizes either', () => {
    const warnings: string[] = [];
    expect(loadBackend({ env: {}, candidates: [staleCaches], warn: (m) => warnings.push(m) }).info.backend).toBe('js');
    expect(warnings[0]).toContain(`${staleCaches}: built from older keel sources (no cacheSizes)`);
  });

  it('nor one whose kernel table lacks a kernel this version calls', () => {
    const warnings: string[] = [];
    expect(loadBackend({ env: {}, candidates: [staleKernels], warn: (m) => warnings.push(m) }).info.backend).toBe('js');
    expect(warnings[0]).toContain(`${staleKernels}: built from older keel sources (no linearForwardStats kernel)`);
  });

  it('setNumThreads rejects a bad count with an OptionError on either backend', () => {
    expectError(() => setNumThreads(0), OptionError, 'setNumThreads: threads must be an integer in [1, 1024], got 0');
    expectError(() => setNumThreads('2' as unknown as number), OptionError, 'setNumThreads: threads must be an integer in [1, 1024], got "2"');
  });
});

describe.skipIf(!addon)('native loading', () => {
  it('selects the best supported level by default and reports the variant of every kernel', () => {
    const b = loadBackend({ env: { KEEL_BACKEND: 'native' } });
    expect(b.info.backend).toBe('native');
    expect(b.info.isa).toBe(b.info.detectedIsa);
    expect(b.info.supportedIsas).toContain('scalar');
    expect(b.info.supportedIsas).toContain(b.info.detectedIsa);
    expect(Object.keys(b.info.variants).sort()).toEqual([...KERNEL_NAMES].sort());
  });

  it('reports the cache sizes the kernels size their blocking and streaming stores by', () => {
    const { l2Bytes, lastLevelBytes, streamingStoreBytes } = loadBackend({ env: { KEEL_BACKEND: 'native' } }).info.caches!;
    expect(l2Bytes).toBeGreaterThanOrEqual(64 << 10);
    expect(lastLevelBytes).toBeGreaterThanOrEqual(l2Bytes);
    expect(streamingStoreBytes).toBe(8 << 20);
  });

  it('KEEL_CPU forces a supported level', () => {
    const b = loadBackend({ env: { KEEL_BACKEND: 'native', KEEL_CPU: 'scalar' } });
    expect(b.info.isa).toBe('scalar');
    expect(b.info.variants.conv1dForward).toBe('scalar');
  });

  it('KEEL_CPU naming a level this CPU lacks is an error', () => {
    const lacking = (['neon', 'avx2', 'avx512'] as const).find((isa) => !addon!.supportedIsas().includes(isa))!;
    const supported = addon!.supportedIsas().join(', ');
    expectError(() => loadBackend({ env: { KEEL_BACKEND: 'native', KEEL_CPU: lacking } }), BackendError,
      `keel: KEEL_CPU=${lacking} is not supported by this CPU/OS (supported: ${supported})`);
    expectError(() => addon!.kernelSet(lacking), BackendError, `kernelSet: this CPU/OS does not support ${lacking} (best supported: ${addon!.detectIsa()})`);
  });

  it('hands the addon keel\'s error classes: its own checks throw OptionError and ShapeError', () => {
    const { kernels: k, addon: a } = loadBackend({ env: { KEEL_BACKEND: 'native' } });
    expectError(() => k.reluForward(new Float32Array(2), new Float32Array(2), null as never), OptionError, 'reluForward: params must be an object, got null');
    expectError(() => k.reluForward(new Float32Array(3), new Float32Array(2), { count: 2 }), ShapeError, 'reluForward: y must have length 2 (count = 2), got 3');
    expectError(() => a!.kernelSet('sse9' as never), OptionError, 'kernelSet: isa must be one of "scalar", "avx2", "avx512", "neon", got "sse9"');
    expectError(() => a!.setNumThreads(1.5), OptionError, 'setNumThreads: threads must be an integer in [1, 1024], got 1.5');
    expectError(() => a!.alignmentOffset(new Float32Array(1) as never), OptionError, 'alignmentOffset: buffer must be an ArrayBuffer, got Float32Array');
    expectError(() => a!.setErrorClasses({ OptionError } as never), OptionError, 'setErrorClasses: classes.ShapeError must be a function, got undefined');
  });
});

describe('the library entry point', () => {
  it('exports the selected kernels and reports what they are', () => {
    const info = backendInfo();
    expect(['native', 'js']).toContain(info.backend);
    if (process.env.KEEL_REQUIRE_NATIVE) expect(info.backend).toBe('native');
    expect(typeof kernels.conv1dForward).toBe('function');
  });
});
