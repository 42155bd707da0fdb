// keel tune --resume: a search cut short (its results file holding some of the trials, as a kill
// leaves it) goes on where it stopped: only the trials the file lacks run, and the results file ends
// as the uninterrupted search's. A file of another search (other options) or no file is a usage error
// naming what differs, and nothing runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './io.js';

const search = (folds = '2') => ['tune', '--units', '4', '--folds', folds, '--epochs', '1', '--lr', '1e5,1e-3', '--concurrency', '1', '--threads', '1'];

describe('keel tune --resume', () => {
  it('runs only the trials the results file lacks, and ends with the uninterrupted search\'s results', async () => {
    const dir = tempDir();
    const files = (name: string) => ['--results', join(dir, `${name}.json`), '--out', join(dir, `${name}-best.json`)];
    const whole = await run(...search(), ...files('whole'));
    expect(whole.status, whole.stderr).toBe(0);
    const complete = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8'));
    expect(complete.trials.map((t: { diverged: boolean }) => t.diverged)).toEqual([false, true]);
    // A kill after the first trial (the diverged one, lr 1e5) finished: the file holds only it.
    writeFileSync(join(dir, 'cut.json'), JSON.stringify({ ...complete, status: 'running', bestConfig: null, trials: complete.trials.slice(1) }));
    const resumed = await run(...search(), ...files('cut'), '--resume');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`keel tune: resuming ${join(dir, 'cut.json')}: 1 of 2 trials finished, 1 to run`);
    expect(resumed.stderr.match(/^\[\d\/2\]/gm)).toEqual(['[2/2]']);
    expect(JSON.parse(readFileSync(join(dir, 'cut.json'), 'utf8'))).toEqual(complete);
    expect(readFileSync(join(dir, 'cut-best.json'), 'utf8')).toBe(readFileSync(join(dir, 'whole-best.json'), 'utf8'));
    // Other options, or no results file: status 2, nothing run, the file as it was.
    const other = await run(...search('3'), ...files('cut'), '--resume');
    expect(other.status).toBe(2);
    expect(other.stderr).toContain(`--resume: ${join(dir, 'cut.json')} holds another search's trials (folds 2 there, 3 now)`);
    expect(JSON.parse(readFileSync(join(dir, 'cut.json'), 'utf8'))).toEqual(complete);
    const none = await run(...search(), ...files('missing'), '--resume');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`--resume: there is no results file ${join(dir, 'missing.json')} to resume`);
  }, 90000);
});
