/**
 * npm's prepack, before `npm pack` and `npm publish` (and `prepare`, which rebuilds dist/): empties
 * dist/ so that no file of a removed source is packed, and copies binding.gyp to native/binding.gyp,
 * where the package carries it for `keel build`. A binding.gyp at the package's root would make npm
 * run `node-gyp rebuild` at install — npm 11 infers that script whatever "gypfile" says, once a user
 * approves keel's scripts — and keel's install compiles nothing. postpack removes the copy.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
copyFileSync(`${root}binding.gyp`, `${root}native/binding.gyp`);
