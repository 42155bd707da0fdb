/**
 * checkStudyReport: the report's input, checked before anything is drawn, so a bad value fails
 * with a message naming the function, the field, what it must be and what it was — rather than as
 * a blank chart or a broken file name. Run names become file names (curves-<name>.svg), so they
 * are restricted to [a-z0-9-]+ and must be unique; epochs are 1-based and must fall on the curve
 * they mark. Unknown keys throw (a misspelt `note` would otherwise vanish from the report).
 */
import { describe } from '../data/validate.js';
import { OptionError } from '../errors.js';
import { checkOptions, nonNegativeInt, positiveInt } from '../functional/validate.js';
import type { CurveSet, StudyReport } from './study.js';

const REPORT_KEYS = ['title', 'summary', 'yLabel', 'runs', 'table', 'findings', 'notes'] as const;
const RUN_KEYS = ['name', 'label', 'train', 'validation', 'bestEpoch', 'divergenceEpoch', 'stoppedEpoch', 'stoppedBy'] as const;
const COLUMN_KEYS = ['key', 'label', 'digits', 'unit', 'missing'] as const;
const NAME = /^[a-z0-9-]+$/;
/** toFixed accepts up to 100; more than this is never a sensible table. */
const MAX_DIGITS = 20;

function str(where: string, name: string, v: unknown): string {
  if (typeof v !== 'string') throw new OptionError(`${where}: ${name} must be a string, got ${describe(v)}`);
  return v;
}

function strings(where: string, name: string, v: unknown): void {
  if (!Array.isArray(v)) throw new OptionError(`${where}: ${name} must be an array of strings, got ${describe(v)}`);
  v.forEach((s, i) => str(where, `${name}[${i}]`, s));
}

function object(where: string, name: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new OptionError(`${where}: ${name} must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

/** A per-epoch curve: numbers (NaN and ±Infinity allowed: they are gaps in the chart). */
function curve(where: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new OptionError(`${where}: ${name} must be an array of numbers (one per epoch), got ${describe(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number') throw new OptionError(`${where}: ${name}[${i}] must be a number, got ${describe(x)}`);
  });
  return v as number[];
}

/** null, or a 1-based epoch in [1, epochs]. */
function epoch(where: string, name: string, v: unknown, epochs: number): void {
  if (v === null) return;
  positiveInt(where, name, v);
  if ((v as number) > epochs) throw new OptionError(`${where}: ${name} must be null or an epoch in [1, ${epochs}] (the curve's length), got ${v}`);
}

function checkRun(where: string, name: string, v: unknown): CurveSet {
  const run = checkOptions(where, object(where, name, v), RUN_KEYS) as Record<string, unknown>;
  const runName = str(where, `${name}.name`, run.name);
  if (!NAME.test(runName)) throw new OptionError(`${where}: ${name}.name must match [a-z0-9-]+ (it names a file), got ${describe(runName)}`);
  str(where, `${name}.label`, run.label);
  const train = curve(where, `${name}.train`, run.train);
  const validation = curve(where, `${name}.validation`, run.validation);
  epoch(where, `${name}.bestEpoch`, run.bestEpoch, validation.length);
  epoch(where, `${name}.divergenceEpoch`, run.divergenceEpoch, Math.max(train.length, validation.length));
  if (run.stoppedEpoch !== undefined && run.stoppedEpoch !== null) positiveInt(where, `${name}.stoppedEpoch`, run.stoppedEpoch);
  if (run.stoppedBy !== undefined) str(where, `${name}.stoppedBy`, run.stoppedBy);
  return run as unknown as CurveSet;
}

function checkTable(where: string, v: unknown): void {
  const table = checkOptions(where, object(where, 'report.table', v), ['columns', 'rows']) as Record<string, unknown>;
  if (!Array.isArray(table.columns) || table.columns.length === 0) {
    throw new OptionError(`${where}: report.table.columns must be a non-empty array, got ${describe(table.columns)}`);
  }
  const keys = (table.columns as unknown[]).map((c, i) => {
    const col = checkOptions(where, object(where, `report.table.columns[${i}]`, c), COLUMN_KEYS) as Record<string, unknown>;
    str(where, `report.table.columns[${i}].label`, col.label);
    if (col.digits !== undefined && nonNegativeInt(where, `report.table.columns[${i}].digits`, col.digits) > MAX_DIGITS) {
      throw new OptionError(`${where}: report.table.columns[${i}].digits must be at most ${MAX_DIGITS}, got ${col.digits}`);
    }
    if (col.unit !== undefined) str(where, `report.table.columns[${i}].unit`, col.unit);
    if (col.missing !== undefined) str(where, `report.table.columns[${i}].missing`, col.missing);
    return str(where, `report.table.columns[${i}].key`, col.key);
  });
  if (!Array.isArray(table.rows)) throw new OptionError(`${where}: report.table.rows must be an array, got ${describe(table.rows)}`);
  (table.rows as unknown[]).forEach((r, i) => {
    const row = object(where, `report.table.rows[${i}]`, r);
    for (const key of keys) {
      const cell = row[key];
      if (cell !== null && typeof cell !== 'number' && typeof cell !== 'string') {
        throw new OptionError(`${where}: report.table.rows[${i}].${key} must be a number, a string or null, got ${describe(cell)}`);
      }
    }
  });
}

/** Throws unless `v` is a well-formed StudyReport (see the header). */
export function checkStudyReport(where: string, v: unknown): StudyReport {
  const report = checkOptions(where, object(where, 'report', v), REPORT_KEYS) as Record<string, unknown>;
  str(where, 'report.title', report.title);
  strings(where, 'report.summary', report.summary);
  str(where, 'report.yLabel', report.yLabel);
  if (!Array.isArray(report.runs) || report.runs.length === 0) {
    throw new OptionError(`${where}: report.runs must be a non-empty array of runs, got ${describe(report.runs)}`);
  }
  const seen = new Set<string>();
  (report.runs as unknown[]).forEach((r, i) => {
    const { name } = checkRun(where, `report.runs[${i}]`, r);
    if (seen.has(name)) throw new OptionError(`${where}: report.runs[${i}].name must be unique (it names a file), got ${describe(name)} twice`);
    seen.add(name);
  });
  checkTable(where, report.table);
  if (report.findings !== undefined) strings(where, 'report.findings', report.findings);
  if (report.notes !== undefined) strings(where, 'report.notes', report.notes);
  return report as unknown as StudyReport;
}
