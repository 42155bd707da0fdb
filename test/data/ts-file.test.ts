// readTs / parseTs: sktime's .ts layout (multivariate, variable length, class labels, regression
// targets, no labels; comments, CRLF, a BOM, tags in any case) and UCR's tsv (tabs, commas or
// spaces; trailing NaN padding), each case a unit of (T, D) values; and a TsError naming the line for
// everything the reader does not take — also for 3,000 seeded mutations of a valid file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTs, readTs, TsError } from '../../src/data/ts-file.js';
import { OptionError, StorageError } from '../../src/errors.js';
import { tempDir } from '../cli/io.js';
import { typedError } from './helpers.js';

const MOTIONS = `# Two motions, three dimensions
@problemName Motions
@timeStamps false
@univariate false
@dimensions 3
@equalLength true
@seriesLength 4
@classLabel true walk run
@data
1,2,3,4:10,20,30,40:-1,-2,-3,-4:walk
0.5,1.5,2.5,3.5:5e-1,0,0,0:9,8,7,6:run
`;

/** Unit `i`'s values as rows of [dim_0, dim_1, …]. */
const rows = (t: ReturnType<typeof parseTs>, i: number): number[][] => {
  const [T, D] = t.units[i]!.values.shape as [number, number];
  return Array.from({ length: T }, (_, s) => Array.from(t.units[i]!.values.data.subarray(s * D, (s + 1) * D)));
};

describe('parseTs: the .ts layout', () => {
  it('reads a multivariate classification file: one unit per case, (T, D), labels as written', () => {
    const t = parseTs(MOTIONS);
    expect(t.layout).toBe('ts');
    expect(t.problem).toBe('Motions');
    expect(t.columns).toEqual(['dim_0', 'dim_1', 'dim_2']);
    expect(t.target).toEqual({ kind: 'classification', classes: ['walk', 'run'] });
    expect(t.units.map((u) => [u.id, u.label])).toEqual([[1, 'walk'], [2, 'run']]);
    expect(rows(t, 0)).toEqual([[1, 10, -1], [2, 20, -2], [3, 30, -3], [4, 40, -4]]);
    expect(rows(t, 1)[0]).toEqual([0.5, 0.5, 9]);
  });

  it('takes comments (# and %), blank lines, CRLF, a BOM and tags in any case', () => {
    const text = `\uFEFF% an ARFF-style comment\r\n#another\r\n\r\n@PROBLEMNAME x y\r\n@UniVariate true\r\n@ClassLabel True 1 2\r\n@DATA\r\n\r\n1,2,3:1\r\n4,5,6:2\r\n`;
    const t = parseTs(text);
    expect(t.problem).toBe('x y');
    expect(t.columns).toEqual(['dim_0']);
    expect(t.units.map((u) => [u.label, Array.from(u.values.data)])).toEqual([['1', [1, 2, 3]], ['2', [4, 5, 6]]]);
  });

  it('reads cases of different lengths (each case one length across its dimensions)', () => {
    const t = parseTs('@dimensions 2\n@equalLength false\n@classLabel true a b\n@data\n1,2:3,4:a\n1,2,3,4,5:5,6,7,8,9:b\n');
    expect(t.units.map((u) => u.values.shape)).toEqual([[2, 2], [5, 2]]);
  });

  it('reads regression targets (@targetLabel true) and unlabelled cases', () => {
    const reg = parseTs('@univariate true\n@targetLabel true\n@data\n1,2,3:46.3\n4,5,6:-1e-3\n');
    expect(reg.target).toEqual({ kind: 'regression' });
    expect(reg.units.map((u) => u.label)).toEqual(['46.3', '-1e-3']);
    const none = parseTs('@univariate true\n@classLabel false\n@data\n1,2,3\n4,5,6\n');
    expect(none.target).toBeNull();
    expect(none.units.map((u) => u.label)).toEqual([undefined, undefined]);
    expect(none.units[1]!.values.shape).toEqual([3, 1]);
  });
});

describe('parseTs: UCR tsv', () => {
  it('reads label-first tab-separated lines, trailing NaN padding a shorter series', () => {
    const t = parseTs('1\t0.5\t1.5\t2.5\n-1\t3\t4\tNaN\n2\t7\tNaN\tNaN\n');
    expect(t.layout).toBe('ucr');
    expect(t.columns).toEqual(['dim_0']);
    expect(t.target).toEqual({ kind: 'classification', classes: ['1', '-1', '2'] });
    expect(t.units.map((u) => [u.id, u.label, Array.from(u.values.data)])).toEqual([[1, '1', [0.5, 1.5, 2.5]], [2, '-1', [3, 4]], [3, '2', [7]]]);
  });

  it('reads commas and runs of spaces (the older .txt files) the same way', () => {
    for (const text of ['1,1,2\n2,3,4\n', '  1.0000000e+00   1   2\n  2.0000000e+00   3   4\n']) {
      const t = parseTs(text);
      expect(t.units.map((u) => Array.from(u.values.data))).toEqual([[1, 2], [3, 4]]);
      expect(t.units).toHaveLength(2);
    }
  });
});

describe('readTs', () => {
  it('reads a file as parseTs reads its text', async () => {
    const file = join(tempDir(), 'Motions_TRAIN.ts');
    writeFileSync(file, MOTIONS);
    const t = await readTs(file);
    expect(t.units.map((u) => Array.from(u.values.data))).toEqual(parseTs(MOTIONS).units.map((u) => Array.from(u.values.data)));
  });

  it('a file it cannot read is a StorageError, a bad argument an OptionError', async () => {
    await typedError(() => readTs(join(tempDir(), 'missing.ts')), StorageError, /readTs: cannot read .*missing\.ts/);
    await typedError(() => readTs(''), OptionError, /path must be a non-empty string/);
    await typedError(() => parseTs(3 as unknown as string), OptionError, /text must be a string, got 3/);
  });
});

describe('TsError: file:line and what is wrong', () => {
  const HEAD = '@univariate true\n@classLabel true a b\n@data\n';
  const cases: Array<[string, string, number, RegExp]> = [
    ['no @data', '@univariate true\n1,2:a\n', 2, /expected a @tag line or a comment/],
    ['header never ends', '@univariate true\n@classLabel true a b\n', 2, /no @data line/],
    ['no case', HEAD, 3, /no case after @data/],
    ['time stamps', '@timeStamps true\n@data\n', 1, /@timeStamps true: .* not read/],
    ['a flag that is not true/false', '@equalLength yes\n@data\n', 1, /@equalLength takes true or false, got "yes"/],
    ['a count that is not one', '@dimensions 0\n@data\n', 1, /@dimensions takes a positive integer, got "0"/],
    ['@classLabel true without labels', '@classLabel true\n@data\n', 1, /must list the class labels/],
    ['both kinds of label', '@classLabel true a\n@targetLabel true\n@data\n1:a\n', 3, /both @classLabel true and @targetLabel true/],
    ['more dimensions than declared', `${HEAD}1,2:3,4:a\n`, 4, /2 dimensions \(separated by ':'\) where the header says 1, then the label/],
    ['fewer than the first case', '@classLabel true a\n@data\n1,2:3,4:a\n1,2:a\n', 4, /1 dimension .* where the first case has 2/],
    ['uneven dimensions', '@classLabel true a\n@data\n1,2:3,4,5:a\n', 3, /dimension 2 has 3 values and dimension 1 has 2/],
    ['equal length broken', `@equalLength true\n${HEAD}1,2:a\n1,2,3:b\n`, 6, /a series of 3 values where the case on line 5 has 2 \(@equalLength true\)$/],
    ['series length broken', `@seriesLength 3\n${HEAD}1,2:a\n`, 5, /a series of 2 values where @seriesLength says 3$/],
    ['undeclared label', `${HEAD}1,2:c\n`, 4, /label "c" is not among the classes @classLabel declares \(a b\)/],
    ['empty label', `${HEAD}1,2:\n`, 4, /a case without its label/],
    ['missing value', `${HEAD}1,?,3:a\n`, 4, /dimension 1, value 2: missing value "\?"; keel takes no missing values/],
    ['not a number', `${HEAD}1,x,3:a\n`, 4, /dimension 1, value 2: "x" is not a number/],
    ['an empty value', `${HEAD}1,,3:a\n`, 4, /dimension 1, value 2: "" is not a number/],
    ['beyond float32', `${HEAD}1,1e39:a\n`, 4, /"1e39" is not a number float32 holds/],
    ['a target that is not a number', '@targetLabel true\n@data\n1,2:high\n', 3, /target "high" is not a number/],
    ['UCR: NaN inside a series', '1\t1\tNaN\t3\n', 1, /value 2: missing value inside the series \(NaN pads only its end\)/],
    ['UCR: all NaN', '1\t1\t2\n2\tNaN\tNaN\n', 2, /a series with no value/],
    ['UCR: text', '1\t1\t2\n2\tabc\t3\n', 2, /is not a number \(read as a UCR file/],
  ];
  it.each(cases)('%s', async (_, text, line, reason) => {
    const e = await typedError(() => parseTs(text), TsError, reason);
    expect([e.file, e.line]).toEqual(['<string>', line]);
    expect(e.message).toBe(`<string>:${line}: ${e.reason}`);
  });
});

describe('parseTs on damaged text', () => {
  it('reads it or throws a TsError, never anything else (3,000 seeded mutations of a valid file)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pieces = [':', ',', '\n', '@data\n', '@classLabel true walk\n', '@targetLabel true\n', '@dimensions 2\n', '?', 'NaN', '\t', ' ', '-', '.', 'e', '9', 'walk', '#', '%', '\uFEFF', ''];
    const kinds = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      let text = MOTIONS;
      for (let m = 1 + rand(4); m > 0; m--) {
        const at = rand(text.length + 1), cut = rand(4);
        text = text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at + cut);
      }
      try {
        const t = parseTs(text);
        for (const u of t.units) expect(u.values.data.every(Number.isFinite)).toBe(true);
        kinds.add('read');
      } catch (e) {
        if (!(e instanceof TsError)) throw new Error(`${(e as Error).name} on ${JSON.stringify(text)}: ${(e as Error).message}`);
        kinds.add('TsError');
      }
    }
    expect([...kinds].sort()).toEqual(['TsError', 'read']);
  });
});
