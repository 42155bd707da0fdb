// The layers of src/ (README, Layout): the library never imports the keel executable, the kernels'
// plain-JS twins import nothing of the library, and the layers under training (tensors, autograd
// ops, layers, the backend) never reach up into training, the CLI or the tools built on them. Read
// from the import statements of every source file, so a shortcut fails here, naming the file.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** Each source file (relative to src/) with the top-level entries of src/ it imports (a folder, or a file such as errors.ts). */
const imports = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom '(\.[^']+)'/gms)].map((m) => {
      const target = relative(SRC, resolve(dirname(join(SRC, file)), m[1]!));
      return target.split('/')[0]!.replace(/\.js$/, '.ts');
    });
    return { file, layer: file.split('/')[0]!, targets: new Set(targets) };
  });

/** The files of `layers` that import one of `forbidden`, as "file → entry". */
function violations(layers: (layer: string) => boolean, forbidden: readonly string[]): string[] {
  return imports.filter((i) => layers(i.layer)).flatMap((i) => forbidden.filter((f) => f !== i.layer && i.targets.has(f)).map((f) => `${i.file} → ${f}`));
}

describe('the layers of src/', () => {
  it('reads the imports (a check that sees no imports could not fail)', () => {
    expect(imports.length).toBeGreaterThan(200);
    expect(imports.find((i) => i.file === 'cli/main.ts')!.targets).toContain('version.ts');
    expect(imports.find((i) => i.file === 'model-folder/model-folder.ts')!.targets).toContain('train');
  });

  it('nothing but the executable imports src/cli', () => {
    expect(violations((layer) => layer !== 'cli', ['cli'])).toEqual([]);
  });

  it("the kernels' plain-JS twins (src/ref) import only the errors", () => {
    const outside = imports.filter((i) => i.layer === 'ref').flatMap((i) => [...i.targets].filter((t) => t !== 'ref' && t !== 'errors.ts').map((t) => `${i.file} → ${t}`));
    expect(outside).toEqual([]);
  });

  it('tensors, ops, layers and the backend do not reach up into training or the tools on it', () => {
    const low = ['ref', 'backend', 'tensor', 'functional', 'nn'];
    const high = ['train', 'cli', 'model-folder', 'study', 'report', 'tune', 'onnx', 'optim', 'augment', 'datasets', 'index.ts'];
    expect(violations((layer) => low.includes(layer), high)).toEqual([]);
  });
});
