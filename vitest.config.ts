import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import 'keel' as users do; in tests that name is this checkout's source.
  resolve: { alias: [{ find: /^keel$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // One test file per core, not vitest's default of one fewer: many files spend their time waiting
    // on child processes, workers and the file system, so on 2 cores one file at a time left a core
    // idle. The suite: 688 s one at a time, 543 s two at a time (AMD EPYC Zen 5, 2 vCPUs).
    maxWorkers: availableParallelism(),
    // Warnings from the loader fallback are part of what some tests check; keep output readable.
    reporters: ['default'],
  },
});
