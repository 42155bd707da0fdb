// `keel predict … | head`: when the reader of stdout goes away, the real process stops quietly with
// status 0, as Unix tools do, instead of dying on an unhandled EPIPE with a stack trace.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { trainSmallModel } from './io.js';

describe('stdout closed by its reader', () => {
  it('predict | head -c 20 stops quietly with status 0', async () => {
    const model = await trainSmallModel();
    // ~160 KB of predictions, more than a pipe holds (64 KB): the writes go on after head has left.
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" --import tsx src/cli/main.ts predict --model "${model}" --data runtofailure | head -c 20`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^unit,time,rul\n1,30,/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 30000);
});
