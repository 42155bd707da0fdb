/**
 * A fit with BackupAndRestore killed by SIGKILL at random moments, and started again after each kill,
 * ends with the very weights of the same fit never interrupted. The trainer is a real child process
 * running fit in its worker thread through the built package (dist/): the backbone with dropout,
 * AdamW, EarlyStopping restoring its best weights; it prints each finished epoch and, at the end, a
 * hash of the trained state. Kills land between epochs and inside them, and inside the backup's own
 * write (which is atomic: the backup is always a whole epoch's end).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIST = new URL('../../dist/index.js', import.meta.url).pathname;
/** Kills before the run that finishes (KEEL_KILL_TRIALS for more). */
const KILLS = Number(process.env.KEEL_KILL_TRIALS ?? 4);
const EPOCHS = 12;

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'keel-killed-fit-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the trainer on `backupDir`; `kill` after the given epoch has been printed, and `delay` ms more. */
async function train(script: string, backupDir: string, kill?: { after: number; delay: number }): Promise<{ out: string; killed: boolean }> {
  const child = spawn(process.execPath, [script, backupDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    if (kill && new RegExp(`^epoch ${kill.after}$`, 'm').test(out)) setTimeout(() => child.kill('SIGKILL'), kill.delay);
  });
  const code = await exited;
  if (code !== null && code !== 0) throw new Error(`trainer failed (${code}): ${err}`);
  return { out, killed: code === null };
}

describe('a fit with BackupAndRestore killed and started again', () => {
  it(`ends as the fit never interrupted, after ${KILLS} kills`, async () => {
    const script = join(dir, 'trainer.mjs');
    writeFileSync(script, `import { writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { callbacks, fit, manualSeed, nn, optim, Tensor } from ${JSON.stringify(DIST)};
manualSeed(3);
const model = nn.conv1dBackbone({ inChannels: 4, window: 16, widths: [16, 16], headHidden: 16, dropout: 0.2, headDropout: 0.3 });
let s = 7;
const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
const x = new Tensor(Float32Array.from({ length: 512 * 64 }, r), [512, 4, 16]);
const y = new Tensor(Float32Array.from({ length: 512 }, (_, i) => x.data[i * 64] * x.data[i * 64 + 20] + Math.sin(x.data[i * 64 + 40])), [512, 1]);
class Announce extends callbacks.Callback {
  get passive() { return true; }
  onEpochEnd(epoch) { writeSync(1, 'epoch ' + epoch + '\\n'); }
}
const history = await fit(model, { x, y, validationSplit: 0.25, epochs: ${EPOCHS}, batchSize: 16, seed: 9, verbose: false, worker: true,
  optimizer: (_p, m) => new optim.AdamW(optim.weightDecayGroups(m, 0.05), { lr: 3e-3 }),
  callbacks: [new callbacks.EarlyStopping({ patience: 4, restoreBestWeights: true }), new callbacks.BackupAndRestore({ backupDir: process.argv[2] }), new Announce()] });
const h = createHash('sha1'), state = model.stateDict();
for (const key of Object.keys(state).sort()) h.update(new Uint8Array(state[key].data.buffer, state[key].data.byteOffset, state[key].data.byteLength));
writeSync(1, 'done ' + history.epochs.length + ' ' + history.stopped + ' ' + h.digest('hex') + '\\n');`);

    const reference = await train(script, join(dir, 'reference'));
    const want = /^done .*$/m.exec(reference.out)![0];

    const backup = join(dir, 'killed');
    let killed = 0, last = 0;
    for (let k = 0; k < KILLS; k++) {
      // Somewhere after the last epoch this run will have finished, up to most of an epoch later.
      const after = last + 1 + Math.floor(Math.random() * 2);
      const run = await train(script, backup, { after, delay: Math.random() * 60 });
      const epochs = [...run.out.matchAll(/^epoch (\d+)$/gm)].map((m) => Number(m[1]));
      if (run.killed) killed++;
      if (!run.killed || epochs.at(-1)! >= EPOCHS - 1) break;
      last = epochs.at(-1)!;
    }
    const finished = await train(script, backup);
    expect(killed).toBeGreaterThan(0);
    expect(/^done .*$/m.exec(finished.out)![0]).toBe(want);
  }, 240_000);
});
