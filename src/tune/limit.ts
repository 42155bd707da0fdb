/**
 * A concurrency limit for async tasks (p-limit's idea, in a few lines): at most `concurrency` tasks
 * run at once; the others wait in FIFO order, so work starts in the order it was asked for. tune()
 * shares one limit between all folds of all trials, so a trial's folds start before the next trial's
 * and finished trials arrive roughly in order (which is what an interruption keeps).
 */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function limit(concurrency: number): Limit {
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = (): void => {
    running--;
    waiting.shift()?.();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      const start = () => {
        running++;
        // Through a promise, so a task that throws synchronously still frees its slot.
        Promise.resolve().then(task).then(resolve, reject).finally(next);
      };
      if (running < concurrency) start();
      else waiting.push(start);
    });
}
