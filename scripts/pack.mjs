/**
 * Packs keel the way `npm publish` would — npm runs `prepare`, which brings the addon up to date and
 * compiles src/ into dist/ — into a folder, and returns the tarball's path with npm's own summary of it
 * (size, unpackedSize, entryCount, files). check-package.mjs and consumer-test.mjs both look at this one
 * artefact. Run as a script (`npm run pack:all`, after the prebuilds are built), it empties packages/
 * and writes there every tarball a user installs — one: the prebuilt addons travel inside it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** Packs into `destination`; throws (with npm's and tsc's output already on stderr) when packing fails. */
export function pack(destination) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [info] = JSON.parse(out);
  return { ...info, tarball: join(destination, info.filename) };
}

/** "505.3 kB packed (1.74 MB unpacked), 511 files" */
export function describePack(info) {
  return `${(info.size / 1e3).toFixed(1)} kB packed (${(info.unpackedSize / 1e6).toFixed(2)} MB unpacked), ${info.entryCount} files`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = join(root, 'packages');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder);
  const info = pack(folder);
  console.log(`${info.tarball}: ${describePack(info)}`);
}
