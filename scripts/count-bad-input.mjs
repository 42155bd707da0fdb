#!/usr/bin/env node
/**
 * Counts the bad-input battery (test/bad-input, issue 12): runs it once with vitest's JSON reporter
 * and prints, per entry point (in the order the files register them), how many cases there are and
 * how many pass, then the total and a last line "N cases, M entry points". It runs from the
 * repository root whatever the cwd, so `npm run test:bad-input` and a direct call agree. With
 * --why it also prints each failing case with its tags ([no-throw]: keel accepted the input;
 * [class]/[keel]: wrong error class; [message]; [state]: a refused call changed the model, optimiser
 * or file; [threw]/[result]: a documented result did not hold), and a tally of the tags. Exits 1 when
 * a case fails, 2 when vitest produced no report.
 *
 *   node scripts/count-bad-input.mjs [--why]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

const why = process.argv.includes('--why');
const dir = mkdtempSync(join(tmpdir(), 'keel-bad-input-'));
const outputFile = join(dir, 'report.json');
let report;
try {
  spawnSync('npx', ['vitest', 'run', 'test/bad-input', '--reporter=json', `--outputFile=${outputFile}`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  report = JSON.parse(readFileSync(outputFile, 'utf8'));
} catch (e) {
  console.error(`count-bad-input: vitest produced no JSON report (${e.message})`);
  process.exit(2);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Entry point = the describe's title without the "bad-input: " prefix.
const rows = new Map();
const failures = [];
for (const file of report.testResults) {
  for (const t of file.assertionResults) {
    const entry = (t.ancestorTitles[0] ?? '(none)').replace(/^bad-input: /, '');
    const row = rows.get(entry) ?? { cases: 0, passed: 0 };
    row.cases++;
    if (t.status === 'passed') row.passed++;
    else failures.push({ entry, title: t.title, message: (t.failureMessages ?? []).join('\n') });
    rows.set(entry, row);
  }
  // A file that fails to load has no assertion results: say so rather than count zero silently.
  if (file.assertionResults.length === 0 && file.status !== 'passed') failures.push({ entry: file.name, title: '(file failed to load)', message: file.message ?? '' });
}

const table = [['entry point', 'cases', 'passed'], ...[...rows].map(([e, r]) => [e, String(r.cases), String(r.passed)])];
const total = [...rows.values()].reduce((a, r) => ({ cases: a.cases + r.cases, passed: a.passed + r.passed }), { cases: 0, passed: 0 });
table.push(['total', String(total.cases), String(total.passed)]);
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(table[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of table.slice(1, -1)) console.log(line(r));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
console.log(line(table.at(-1)));
console.log(`${total.cases} cases, ${rows.size} entry points`);

if (why && failures.length) {
  const tally = new Map();
  console.log('\nFailing cases:');
  for (const f of failures) {
    const tags = [...new Set(f.message.match(/\[(no-throw|class|keel|message|state|threw|result)\]/g) ?? ['[other]'])];
    for (const tag of tags) tally.set(tag, (tally.get(tag) ?? 0) + 1);
    const detail = f.message.split('\n').filter((l) => /^(Error: )?\[/.test(l)).map((l) => l.replace(/^Error: /, '')).join(' | ') || f.message.split('\n')[0];
    console.log(`  ${f.entry} › ${f.title}: ${detail}`);
  }
  console.log(`\nTags: ${[...tally].map(([t, n]) => `${t} ${n}`).join(', ')}`);
}
process.exit(failures.length ? 1 : 0);
