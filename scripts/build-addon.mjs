/**
 * Builds the addon for contributors: `npm install` in a clone runs it through `prepare` (the published
 * package has no install script, so a user's install never compiles). `node-gyp configure` then
 * `node-gyp build` into build/, not `rebuild`: configure only rewrites the Makefiles and make rebuilds
 * what changed, so an up-to-date addon is kept in place (npx keel in the checkout runs prepare when it
 * links the project). Run from an npm script, node-gyp gets npm's `nodedir` (the machine's npmrc sets
 * it and builds offline); run directly, pass it yourself: `node scripts/build-addon.mjs --nodedir=/usr`.
 * Extra arguments go to both node-gyp commands; make runs one job per core.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './pack.mjs';

const nodeGyp = join(root, 'node_modules/.bin/node-gyp');
for (const command of ['configure', 'build']) {
  const args = [command, ...(command === 'build' ? ['--jobs', 'max'] : []), ...process.argv.slice(2)];
  // node-gyp's output goes to stderr: `npm pack --json` runs prepare and stdout must stay its JSON.
  const r = spawnSync(nodeGyp, args, { cwd: root, stdio: ['inherit', 2, 2] });
  if (r.status !== 0) {
    console.error(`build-addon: node-gyp ${command} exited with ${r.status ?? r.signal ?? r.error?.message}`);
    process.exit(1);
  }
}
