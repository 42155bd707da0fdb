/**
 * `keel tune --resume`: the finished trials of an interrupted search, read back from its results file,
 * so a rerun runs only the others. The file must be the same search's — the settings it was written
 * with equal this run's (data, folds, epochs, seed, the lists searched…) — since a trial is only
 * comparable with trials scored the same way; anything else is a usage error that names what differs.
 */
import { readFileSync } from 'node:fs';
import { FormatError } from '../errors.js';
import type { TrialResult } from '../tune/tune.js';
import { UsageError } from './errors.js';

/** JSON has no NaN or Infinity: the results file writes a diverged fold's score as null. */
const score = (v: unknown): number => (v === null ? NaN : (v as number));

/** A setting as the results file holds it (JSON.stringify leaves out undefined fields, as the file does). */
const asWritten = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

/**
 * The trials of `file` when it was written by a search with these `settings` (the results file's own
 * fields besides status, bestConfig and trials); tune() checks each trial against its plan.
 */
export function readFinishedTrials(file: string, settings: Record<string, unknown>): TrialResult[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`--resume: there is no results file ${file} to resume (keel tune writes it as trials finish; give the --results of the run to resume, or leave out --resume to start)`);
    }
    throw new FormatError(`--resume: cannot read ${file} (${(e as Error).message})`);
  }
  let saved: Record<string, unknown>;
  try {
    saved = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FormatError(`--resume: ${file} is not the JSON keel tune writes (${(e as Error).message})`);
  }
  if (typeof saved !== 'object' || saved === null || !Array.isArray(saved.trials)) {
    throw new FormatError(`--resume: ${file} is not a keel tune results file (no "trials" list)`);
  }
  const differences = Object.entries(settings)
    .filter(([key, value]) => asWritten(saved[key]) !== asWritten(value))
    .map(([key, value]) => `${key} ${key in saved ? asWritten(saved[key]) : '(not recorded)'} there, ${asWritten(value)} now`);
  if (differences.length > 0) {
    throw new UsageError(`--resume: ${file} holds another search's trials (${differences.join('; ')}); give the options of the run to resume, or leave out --resume to start this search afresh`);
  }
  return (saved.trials as Array<Record<string, unknown>>).map((t) => ({
    index: t.index as number,
    config: t.config as TrialResult['config'],
    scores: Array.isArray(t.scores) ? t.scores.map(score) : (t.scores as number[]),
    mean: score(t.mean),
    std: score(t.std),
  }));
}
