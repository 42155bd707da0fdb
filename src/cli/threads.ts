/**
 * --threads N, which every command that runs kernels takes: the native thread pool's size for this
 * run. More threads than cores are allowed (a benchmark may want to see what they cost) but said on
 * stderr, since on a busy core they only queue behind each other.
 */
import { availableParallelism } from 'node:os';
import { getNumThreads, setNumThreads } from '../backend/index.js';
import { type CommandIO, intOption } from './args.js';
import { count } from './count.js';

/** Applies `--threads text` when given. */
export function applyThreads(text: string | undefined, err: CommandIO['err']): void {
  if (text === undefined) return;
  const threads = intOption('threads', text, 1, 1024);
  const cores = availableParallelism();
  if (threads > cores) {
    err.write(`keel: --threads ${threads} is more than this machine's ${cores} cores: the threads take turns on them and every step waits for the slowest, which can make training many times slower (--threads ${cores} or fewer)\n`);
  }
  setNumThreads(threads);
}

/** "1 thread", "2 threads": the pool's size as the commands' first line says it. */
export function threadsText(): string {
  return count(getNumThreads(), 'thread');
}
