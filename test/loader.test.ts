// The loader: KEEL_BACKEND forces a backend (native forced but missing is an error), KEEL_CPU forces a
// CPU level (unsupported is an error), and without either the addon is tried at known locations with
// a single warning naming every place tried before falling back to the JS reference.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendInfo, kernels } from '../src/index.js';
import { loadBackend } from '../src/backend/loader.js';
import { KERNEL_NAMES, referenceKernels } from '../src/backend/kernel-set.js';
import { addon } from './helpers/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-loader-'));
const missing = join(dir, 'missing.node');
const garbage = join(dir, 'garbage.node');
writeFileSync(garbage, 'not an addon');

describe('loadBackend', () => {
  it('KEEL_BACKEND=js uses the reference kernels and reports it', () => {
    const b = loadBackend({ env: { KEEL_BACKEND: 'js' } });
    expect(b.kernels).toBe(referenceKernels);
    expect(b.info.backend).toBe('js');
    expect(b.info.isa).toBe('js');
    expect(Object.values(b.info.variants).every((v) => v === 'js')).toBe(true);
  });

  it('falls back to JS with one warning naming every place tried', () => {
    const warnings: string[] = [];
    const b = loadBackend({ env: {}, candidates: [missing, garbage], warn: (m) => warnings.push(m) });
    expect(b.info.backend).toBe('js');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${missing}: not found`);
    expect(warnings[0]).toContain(`${garbage}: `);
  });

  it('KEEL_BACKEND=native with no loadable addon is an error, not a fallback', () => {
    expect(() => loadBackend({ env: { KEEL_BACKEND: 'native' }, candidates: [missing], warn: () => {} })).toThrow(
      /KEEL_BACKEND=native but the native addon could not be loaded[\s\S]*missing\.node: not found/,
    );
  });

  it('rejects unknown KEEL_BACKEND and KEEL_CPU values', () => {
    expect(() => loadBackend({ env: { KEEL_BACKEND: 'gpu' } })).toThrow('KEEL_BACKEND must be "js" or "native", got "gpu"');
    if (addon) expect(() => loadBackend({ env: { KEEL_CPU: 'sse9' } })).toThrow('KEEL_CPU must be one of scalar, avx2, avx512, neon, got "sse9"');
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

  it('KEEL_CPU forces a supported level', () => {
    const b = loadBackend({ env: { KEEL_BACKEND: 'native', KEEL_CPU: 'scalar' } });
    expect(b.info.isa).toBe('scalar');
    expect(b.info.variants.conv1dForward).toBe('scalar');
  });

  it('KEEL_CPU naming a level this CPU lacks is an error', () => {
    const lacking = (['neon', 'avx2', 'avx512'] as const).find((isa) => !addon!.supportedIsas().includes(isa))!;
    expect(() => loadBackend({ env: { KEEL_BACKEND: 'native', KEEL_CPU: lacking } })).toThrow(`KEEL_CPU=${lacking} is not supported by this CPU/OS`);
    expect(() => addon!.kernelSet(lacking)).toThrow(`kernelSet: this CPU/OS does not support ${lacking}`);
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
