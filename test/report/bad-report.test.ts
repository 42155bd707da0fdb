// Malformed reports throw an OptionError before anything is drawn or written, naming the function, the field, the expectation and the value.
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { renderStudyReport, writeStudyReport, type StudyReport } from '../../src/report/index.js';
import { typedError } from '../data/helpers.js';
import { demoReport } from './demo-report.js';

type Edit = (r: StudyReport & Record<string, unknown>) => void;
const cases: [string, Edit, RegExp][] = [
  ['run name with a slash', (r) => void (r.runs[1]!.name = '../x'), /renderStudyReport: report\.runs\[1\]\.name must match \[a-z0-9-\]\+ \(it names a file\), got "\.\.\/x"/],
  ['upper-case run name', (r) => void (r.runs[0]!.name = 'L2'), /report\.runs\[0\]\.name must match/],
  ['duplicate run names', (r) => void (r.runs[2]!.name = 'none'), /report\.runs\[2\]\.name must be unique \(it names a file\), got "none" twice/],
  ['no runs', (r) => void (r.runs = []), /report\.runs must be a non-empty array of runs, got \[\]/],
  ['best epoch past the curve', (r) => void (r.runs[0]!.bestEpoch = 13), /report\.runs\[0\]\.bestEpoch must be null or an epoch in \[1, 12\] \(the curve's length\), got 13/],
  ['best epoch 0 (epochs are 1-based)', (r) => void (r.runs[0]!.bestEpoch = 0), /report\.runs\[0\]\.bestEpoch must be a positive integer, got 0/],
  ['fractional divergence epoch', (r) => void (r.runs[0]!.divergenceEpoch = 2.5), /report\.runs\[0\]\.divergenceEpoch must be a positive integer, got 2\.5/],
  ['undefined best epoch (null means none)', (r) => void ((r.runs[0] as unknown as Record<string, unknown>).bestEpoch = undefined), /bestEpoch must be a positive integer, got undefined/],
  ['a string in a curve', (r) => void ((r.runs[0]!.train as unknown[])[3] = '1.5'), /report\.runs\[0\]\.train\[3\] must be a number, got "1\.5"/],
  ['a Float32Array curve', (r) => void ((r.runs[0] as unknown as Record<string, unknown>).validation = new Float32Array(3)), /report\.runs\[0\]\.validation must be an array of numbers \(one per epoch\), got a Float32Array/],
  ['unknown run key', (r) => void ((r.runs[0] as unknown as Record<string, unknown>).best = 3), /renderStudyReport: unknown option "best"/],
  ['unknown report key', (r) => void (r.note = ['x']), /renderStudyReport: unknown option "note"/],
  ['summary not an array', (r) => void ((r as Record<string, unknown>).summary = 'seed 1'), /report\.summary must be an array of strings, got "seed 1"/],
  ['a finding that is not a string', (r) => void ((r as Record<string, unknown>).findings = ['l2 beats it', 3]), /report\.findings\[1\] must be a string, got 3/],
  ['a row value that is an object', (r) => void ((r.table.rows[0] as Record<string, unknown>).bestEpoch = { epoch: 1 }), /report\.table\.rows\[0\]\.bestEpoch must be a number, a string or null, got an object with keys epoch/],
  ['a row missing a column', (r) => void delete (r.table.rows[1] as Record<string, unknown>).testRmse, /report\.table\.rows\[1\]\.testRmse must be a number, a string or null, got undefined/],
  ['negative digits', (r) => void (r.table.columns[1]!.digits = -1), /report\.table\.columns\[1\]\.digits must be a non-negative integer, got -1/],
  ['no columns', (r) => void (r.table.columns = []), /report\.table\.columns must be a non-empty array, got \[\]/],
];

describe('renderStudyReport: bad reports', () => {
  it.each(cases)('%s', async (_, edit, message) => {
    const r = demoReport(12) as StudyReport & Record<string, unknown>;
    edit(r);
    await typedError(() => renderStudyReport(r), OptionError, message);
  });

  it('a report that is not an object', () => {
    expect(() => renderStudyReport(null as unknown as StudyReport)).toThrow(/renderStudyReport: report must be an object, got null/);
  });
});

describe('writeStudyReport: bad reports', () => {
  const root = mkdtempSync(join(tmpdir(), 'keel-report-bad-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('throws naming writeStudyReport and creates nothing', () => {
    const r = demoReport(12);
    r.runs[0]!.name = 'a b';
    const dir = join(root, 'never');
    expect(() => writeStudyReport(dir, r)).toThrow(/writeStudyReport: report\.runs\[0\]\.name must match/);
    expect(existsSync(dir)).toBe(false);
  });

  it('rejects an empty or non-string dir', async () => {
    await typedError(() => writeStudyReport('', demoReport(5)), OptionError, /writeStudyReport: dir must be a non-empty path, got ""/);
    expect(() => writeStudyReport(3 as unknown as string, demoReport(5))).toThrow(/got 3/);
  });
});
