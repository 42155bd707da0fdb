/**
 * The caller's modules that fit's worker imports so that their registered layer types exist there
 * (nn.registerModuleType's `module`). Importing a module runs its top level; when that is the very
 * script that called fit() (the natural place to register a layer), its fit() would start another
 * worker, which imports the script again, and so on without end. So fit() is refused while such an
 * import runs, with the cure in the message. The mark is a global under a registered symbol, so a
 * second copy of keel loaded by the user's module sees it too. A script that trains later than its
 * import (after an `await`, in an async main()) would not be stopped by that: the worker would run it
 * again, data loading and all. So before a worker starts, fit looks for the script this process runs
 * among the modules to import (entryScriptAmong) and trains on the caller's thread instead, saying why.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateError } from '../../errors.js';

const IMPORTING = Symbol.for('keel.fitWorker.importingUserModule');
type Marked = typeof globalThis & { [IMPORTING]?: string };

/** Imports each module in turn, marked as fit's worker doing so. */
export async function importUserModules(urls: readonly string[]): Promise<void> {
  const g = globalThis as Marked;
  for (const url of urls) {
    g[IMPORTING] = url;
    try {
      await import(url);
    } finally {
      delete g[IMPORTING];
    }
  }
}

/** Throws StateError when called while fit's worker imports a caller's module (see the header). */
export function refuseInsideUserImport(where: string): void {
  const url = (globalThis as Marked)[IMPORTING];
  if (url === undefined) return;
  throw new StateError(
    `${where}: called while keel's training worker was importing ${url} to find the layer types registered there ` +
      '(nn.registerModuleType(..., { module })). That module trains when it is imported, so each worker would start ' +
      'another. Move the layer class and its registerModuleType call to a module of its own that does not train ' +
      'when imported, and import it from your script.',
  );
}

/**
 * The script this process runs, as Node found it (symlinks resolved), or null: process.argv[1] is the
 * path as typed, made absolute, and `node script` runs script.js (or a directory's index.js), which
 * Node's own resolution of a main entry finds and createRequire's resolve repeats.
 */
function entryScript(): string | null {
  const main = process.argv[1];
  if (main === undefined) return null;
  try {
    return realpathSync(createRequire(import.meta.url).resolve(resolve(main)));
  } catch {
    return null;
  }
}

/** The one of `urls` that is the script this process runs, if any. */
export function entryScriptAmong(urls: readonly string[]): string | undefined {
  const local = urls.filter((url) => url.startsWith('file:'));
  const entry = local.length === 0 ? null : entryScript();
  if (entry === null) return undefined;
  return local.find((url) => {
    try {
      return realpathSync(fileURLToPath(url)) === entry;
    } catch {
      return false;
    }
  });
}
