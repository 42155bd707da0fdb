/**
 * The regularisation study over many seeds — the script issue 10 asks for next to `keel demo`: does
 * every regularised variant reach a lower best validation RMSE than the unregularised one, and does
 * the unregularised one show a divergence epoch? Per seed it runs regularisationStudy (the exact code
 * `keel demo` runs, same defaults) and prints one row; the last lines count the wins per variant.
 *
 *   npm run bench:regularisation -- --seeds 0,1,2,3,4 [--epochs 40] [--bn-virtual-batch 8] [--variants ...]
 *   npm run bench:regularisation -- --data csv:train_FD001.txt [--test csv:test_FD001.txt --rul RUL_FD001.txt] …
 *
 * With --data (keel demo's flags) the seeds draw splits of that file's units instead of built-in data.
 * A win: the variant's best validation RMSE is strictly below `none`'s on that seed. The last lines also
 * count test wins, the comparison at the end of training: test RMSE (100 held-out engines, last window)
 * of the weights each run ends with strictly below `none`'s (docs/regularisation-study.md). Fits run on this
 * thread (worker: false), so the timing has no worker start-up; results are the same either way.
 */
import { regularisationStudy } from '../src/study/regularisation.js';
import { STUDY_VARIANT_NAMES, type StudyVariantName } from '../src/study/variants.js';
import { loadStudySource, STUDY_DATA_OPTIONS, STUDY_DATA_USAGE } from '../src/cli/study-source.js';
import { parseCli, usageError } from './cli.js';

const PROG = 'bench:regularisation';
const USAGE = `Usage: npm run bench:regularisation -- [options]

  --seeds LIST          seeds, comma-separated (default 0,1,2,3,4)
  --epochs N            epochs per variant, 1..1000 (default: keel demo's, 40)
  --weight-decay X      AdamW's decoupled weight decay of l2 and recipe (default: keel demo's)
  --bn-virtual-batch N  the BatchNorm variants normalise ghost batches of N samples (BatchNorm1d's
                        virtualBatchSize; default: the whole batch, as PyTorch)
  --variants LIST       from ${STUDY_VARIANT_NAMES.join(', ')}; must include none (default all)
${STUDY_DATA_USAGE}
  --help                this text
`;

const v = parseCli(PROG, USAGE, {
  seeds: { type: 'string', default: '0,1,2,3,4' },
  epochs: { type: 'string', default: '40' },
  variants: { type: 'string', default: STUDY_VARIANT_NAMES.join(',') },
  'weight-decay': { type: 'string' },
  'bn-virtual-batch': { type: 'string' },
  ...STUDY_DATA_OPTIONS,
});
const seeds = v.seeds.split(',').map(Number);
if (seeds.length === 0 || seeds.length > 64 || !seeds.every((s) => Number.isSafeInteger(s) && s >= 0)) usageError(PROG, `--seeds must be up to 64 non-negative integers, got "${v.seeds}"`);
const epochs = Number(v.epochs);
if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000) usageError(PROG, `--epochs must be an integer in [1, 1000], got "${v.epochs}"`);
const variants = v.variants.split(',') as StudyVariantName[];
if (!variants.every((n) => STUDY_VARIANT_NAMES.includes(n)) || !variants.includes('none')) usageError(PROG, `--variants must list names from ${STUDY_VARIANT_NAMES.join(', ')} including none, got "${v.variants}"`);
const others = variants.filter((n) => n !== 'none');
const weightDecay = v['weight-decay'] === undefined ? undefined : Number(v['weight-decay']);
if (weightDecay !== undefined && !(weightDecay >= 0 && Number.isFinite(weightDecay))) usageError(PROG, `--weight-decay must be a non-negative number, got "${v['weight-decay']}"`);
const ghost = v['bn-virtual-batch'] === undefined ? undefined : Number(v['bn-virtual-batch']);
if (ghost !== undefined && !(Number.isSafeInteger(ghost) && ghost >= 1)) usageError(PROG, `--bn-virtual-batch must be a positive integer, got "${v['bn-virtual-batch']}"`);

const data = await loadStudySource(v, process.stderr, PROG).catch((e: Error) => usageError(PROG, e.message));

const cell = (rmse: number, epoch: number | null) => `${rmse.toFixed(2)}@${epoch ?? '-'}`.padStart(11);
console.log(`regularisationStudy on ${data?.description ?? 'the built-in data'}, ${epochs} epochs${weightDecay !== undefined ? `, weight decay ${weightDecay}` : ''}${ghost !== undefined ? `, BatchNorm over ghost batches of ${ghost}` : ''}; cells: best validation RMSE (cycles) @ its epoch; * = beats none`);
console.log(`seed  none        divergence  ${others.map((n) => n.padStart(12)).join(' ')}   test RMSE ${variants.join('/')}`);
const wins = new Map(others.map((n) => [n, 0]));
// The comparison at the end of training: test RMSE of the weights each run ends with (the recipe's restored best).
const testWins = new Map(others.map((n) => [n, 0]));
let diverged = 0;
for (const seed of seeds) {
  const study = await regularisationStudy({ seed, epochs, variants, worker: false, ...(data ? { data } : {}), bnVirtualBatchSize: ghost ?? null, ...(weightDecay !== undefined ? { weightDecay } : {}) });
  const get = (n: StudyVariantName) => study.variants.find((r) => r.name === n)!;
  const none = get('none');
  if (none.divergenceEpoch !== null) diverged++;
  const cells = others.map((n) => {
    const r = get(n);
    const win = r.bestValRmse < none.bestValRmse;
    if (win) wins.set(n, wins.get(n)! + 1);
    if (r.testRmse !== null && none.testRmse !== null && r.testRmse < none.testRmse) testWins.set(n, testWins.get(n)! + 1);
    return `${cell(r.bestValRmse, r.bestEpoch)}${win ? '*' : ' '}`;
  });
  console.log(`${String(seed).padEnd(5)} ${cell(none.bestValRmse, none.bestEpoch)} ${String(none.divergenceEpoch ?? 'none').padStart(10)}  ${cells.join(' ')}   ${study.variants.map((r) => r.testRmse?.toFixed(1) ?? '-').join('/')}`);
}
console.log(`\nnone shows a divergence epoch on ${diverged}/${seeds.length} seeds`);
for (const [n, w] of wins) console.log(`${n.padEnd(10)} beats none's best validation RMSE on ${w}/${seeds.length} seeds, its test RMSE on ${testWins.get(n)}/${seeds.length}`);
