/**
 * The study report: what `keel demo` (and `keel train`) write so a person can see what each
 * training run did — a folder holding
 *   index.html             the whole report in one self-contained page (./html.ts)
 *   validation-overlay.svg every run's validation curve, best epochs marked (./study-charts.ts; only with two runs or more)
 *   curves-<name>.svg      per run: train and validation curves, best and divergence epochs marked
 *   results.json           the table ({ columns, rows }) with the title, summary, findings, notes and curves
 *   results.md             the table in Markdown (./markdown.ts)
 * renderStudyReport makes them (a pure function: the tests read its output); writeStudyReport
 * writes them, each atomically, index.html last — so a folder with an index.html is complete.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe } from '../data/validate.js';
import { OptionError, StorageError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { checkStudyReport } from './check.js';
import { GENERATOR_META, indexHtml } from './html.js';
import { resultsMarkdown } from './markdown.js';
import { overlayChart, runChart } from './study-charts.js';

/** One training run's curves. */
export interface CurveSet {
  /** Names the run's chart file, curves-<name>.svg: [a-z0-9-]+, unique in the report. */
  name: string;
  /** What the run is called in legends, titles and captions, e.g. 'L2 (weight decay)'. */
  label: string;
  /** Training loss (or metric) per epoch: epoch i + 1 at index i. NaN or ±Infinity leave a gap. */
  train: number[];
  /** Validation loss (or metric) per epoch, as `train`. */
  validation: number[];
  /** The best epoch (1-based; at most validation.length), marked on the run's chart and the overlay; null = none. */
  bestEpoch: number | null;
  /** The divergence epoch (the onset of overfitting; 1-based), marked on the run's chart; null = none. */
  divergenceEpoch: number | null;
  /** The epoch early stopping (or `stoppedBy`) ended the run at (its curves may be shorter than others'). Default none. */
  stoppedEpoch?: number | null;
  /** What ended the run at stoppedEpoch, as the chart's subtitle names it. Default 'Early stopping'. */
  stoppedBy?: string;
}

/** One column of a report table: which row field it shows and how. */
export interface ReportColumn {
  /** The row field this column shows. */
  key: string;
  /** The header. */
  label: string;
  /** Digits after the point for numbers. Default: integers whole, others to 4 significant digits. */
  digits?: number;
  /** Printed in the header, "Label (unit)". Default none. */
  unit?: string;
  /** What a null cell prints as. Default 'none' (e.g. no divergence epoch). */
  missing?: string;
}

/** A report's results table: columns and rows. */
export interface ReportTable {
  /** The columns, left to right. */
  columns: ReportColumn[];
  /** One object per row; every column's key must hold a number, a string or null. */
  rows: Record<string, number | string | null>[];
}

/** Everything a study report shows: title, summary, one curve set per run, the table and notes. */
export interface StudyReport {
  /** e.g. 'keel demo: regularisation study'. */
  title: string;
  /** A few lines of plain text: dataset, seed, epochs, machine and backend. */
  summary: string[];
  /** What the curves measure, e.g. 'RMSE (cycles)'. */
  yLabel: string;
  /** One curve set per run, in legend order. */
  runs: CurveSet[];
  /** The results table. */
  table: ReportTable;
  /** What the run shows, a sentence a line, under the table ("What this run shows"). Default none. */
  findings?: string[];
  /** Lines shown at the end, e.g. how the divergence epoch is defined. Default none. */
  notes?: string[];
}

/** Where writeStudyReport put the report. */
export interface WrittenReport {
  /** The report folder (absolute). */
  dir: string;
  /** Its index.html (absolute): the path to print and open. */
  html: string;
  /** Every file written (absolute), index.html last. */
  files: string[];
}

function render(where: string, input: StudyReport): Map<string, string> {
  const report = checkStudyReport(where, input);
  const files = new Map<string, string>();
  // One run's overlay would repeat its own chart: the page leaves it out, so no file is written either.
  if (report.runs.length > 1) files.set('validation-overlay.svg', overlayChart(report.runs, report.yLabel));
  for (const run of report.runs) files.set(`curves-${run.name}.svg`, runChart(run, report.yLabel));
  const { title, summary, findings, notes, table, runs } = report;
  // JSON has no NaN or Infinity: JSON.stringify writes them as null, in the rows and the curves alike.
  files.set('results.json', `${JSON.stringify({ title, summary, findings: findings ?? [], notes: notes ?? [], columns: table.columns, rows: table.rows, runs }, null, 2)}\n`);
  files.set('results.md', resultsMarkdown(report));
  files.set('index.html', indexHtml(report, files, [...files.keys()]));
  return files;
}

/** The report's files, name → contents (pure: nothing is written). Throws on a malformed report. */
export function renderStudyReport(report: StudyReport): Map<string, string> {
  return render('renderStudyReport', report);
}

/**
 * The names of a report's files (the header's list; <name> as CurveSet.name allows). The CLI's --out
 * check (src/cli/output-path.ts) refuses a folder keel did not write that holds one of them, and
 * writeStudyReport removes those the new report does not write from a folder that held a report.
 */
export const REPORT_FILE = /^(index\.html|results\.(json|md)|validation-overlay\.svg|curves-[a-z0-9-]+\.svg)$/;

/** Whether `dir` holds a report keel wrote: an index.html with keel's generator tag, or a results.json of a report's shape. */
export function holdsKeelReport(dir: string): boolean {
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  if (read('index.html').includes(GENERATOR_META)) return true;
  try {
    const results = JSON.parse(read('results.json')) as Record<string, unknown>;
    return Array.isArray(results.columns) && Array.isArray(results.rows) && Array.isArray(results.runs);
  } catch {
    return false;
  }
}

/**
 * The chart files the earlier report in `root` wrote (its results.json names its runs) that the new
 * one (`written`) does not: the charts of runs no longer in it, and its overlay when the new report has
 * one run. Only those: a file of the user's, even one named like a chart, is never touched.
 */
function staleReportFiles(root: string, written: ReadonlyMap<string, string>): string[] {
  let runs: unknown;
  try {
    runs = (JSON.parse(readFileSync(join(root, 'results.json'), 'utf8')) as { runs?: unknown }).runs;
  } catch {
    return []; // no earlier report, or not one keel can read: nothing is keel's to remove
  }
  if (!Array.isArray(runs)) return [];
  const names = runs.map((r) => `curves-${(r as { name?: unknown } | null)?.name}.svg`);
  if (runs.length > 1) names.push('validation-overlay.svg');
  return names.filter((name) => REPORT_FILE.test(name) && !written.has(name) && existsSync(join(root, name)));
}

/**
 * Writes the report into `dir` (created with its parents if missing; files already there with the
 * same names are replaced). Each file is written atomically, index.html last. When `dir` held a keel
 * report, the charts it wrote that this one does not (a run no longer in the report, the overlay) are
 * then removed, so the folder never mixes two reports' charts; other files are left alone.
 */
export function writeStudyReport(dir: string, report: StudyReport): WrittenReport {
  if (typeof dir !== 'string' || dir === '') throw new OptionError(`writeStudyReport: dir must be a non-empty path, got ${describe(dir)}`);
  const files = render('writeStudyReport', report);
  const root = resolve(dir);
  onDisk(root, 'create the folder', () => mkdirSync(root, { recursive: true }));
  // Read before writing: the new results.json and index.html make any folder look like a report.
  const stale = staleReportFiles(root, files);
  const written: string[] = [];
  for (const [name, contents] of files) {
    const path = join(root, name);
    onDisk(path, 'write', () => writeFileAtomic(path, contents));
    written.push(path);
  }
  for (const name of stale) onDisk(join(root, name), 'remove the earlier report file', () => rmSync(join(root, name), { force: true }));
  return { dir: root, html: join(root, 'index.html'), files: written };
}

/** A file-system step of writeStudyReport: what the system refuses (no space, read-only, no permission) is a StorageError naming the path. */
function onDisk(path: string, what: string, step: () => void): void {
  try {
    step();
  } catch (e) {
    throw new StorageError(`writeStudyReport: cannot ${what} ${path} (${(e as Error).message})`, path, e);
  }
}
