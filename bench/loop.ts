/**
 * What a hand-written training loop pays per step for its gradient arrays (npm run bench:loop). Two
 * copies of the model train in one process, alternating blocks of steps (bench/steps.ts: zeroGrad,
 * forward, loss, backward, step): one as written, whose zeroGrad() hands the gradient arrays back to
 * the storage pool; one that also reads every parameter's .grad after each step, as a gradient-norm
 * logger does, so that zeroGrad() must leave those arrays to the garbage collector (the reader may
 * still hold them) and each backward allocates them afresh, which every loop did before. Prints
 * each loop's median step and its minor page faults a step (process.resourceUsage()).
 *
 *   npm run bench:loop -- [--model mlp|backbone] [--rounds 10] [--block 20] [--threads 2]
 */
import { intOption, parseCli, usageError } from './cli.js';
import { type StepModel, trainingStep } from './steps.js';
import { openSession } from './suite.js';
import { upperMedian } from './timing.js';

const PROG = 'bench:loop';
const USAGE = `Usage: tsx bench/loop.ts [options]   (npm run bench:loop -- ...)

Times a hand-written training loop whose zeroGrad() recycles the gradient arrays against one whose
gradients were read (so they cannot be), alternating blocks of steps in one process.

  --model NAME      mlp (bench:e2e's MLP, batch 128; default) or backbone (the §1 backbone, batch 256)
  --rounds N        rounds (default 10)
  --block N         steps per loop per round, the first untimed (default 20)
  --threads N       kernel threads (default 2)

Example:
  npm run bench:loop -- --model backbone
`;

const o = parseCli(PROG, USAGE, {
  model: { type: 'string', default: 'mlp' },
  rounds: { type: 'string', default: '10' },
  block: { type: 'string', default: '20' },
  threads: { type: 'string', default: '2' },
});
if (o.model !== 'mlp' && o.model !== 'backbone') usageError(PROG, `--model must be mlp or backbone, got ${JSON.stringify(o.model)}`);
const rounds = intOption(PROG, 'rounds', o.rounds!, 1), block = intOption(PROG, 'block', o.block!, 2), threads = intOption(PROG, 'threads', o.threads!, 1);

const { keel } = await openSession(threads, false);
const loops = [
  { name: 'zeroGrad()', ...trainingStep(keel, o.model as StepModel), read: false, ms: [] as number[], faults: 0 },
  { name: 'zeroGrad(), .grad read', ...trainingStep(keel, o.model as StepModel), read: true, ms: [] as number[], faults: 0 },
];
const faults = () => process.resourceUsage().minorPageFault;
for (let r = 0; r < rounds; r++) {
  for (const loop of loops) {
    for (let j = 0; j < block; j++) {
      const f0 = faults(), t0 = performance.now();
      loop.step();
      const ms = performance.now() - t0;
      if (j > 0) loop.ms.push(ms), (loop.faults += faults() - f0);
      if (loop.read) for (const p of loop.parameters()) void p.grad;
    }
  }
}
console.log(`${o.model} hand-written training loop, ${threads} threads, ${rounds} rounds of ${block} steps per loop`);
for (const loop of loops) {
  console.log(`  ${loop.name.padEnd(24)} step median ${upperMedian(loop.ms).toFixed(3)} ms, ${(loop.faults / loop.ms.length).toFixed(0)} minor page faults a step`);
}
