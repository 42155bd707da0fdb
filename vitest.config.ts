import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import 'keel' as users do; in tests that name is this checkout's source.
  resolve: { alias: [{ find: /^keel$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Warnings from the loader fallback are part of what some tests check; keep output readable.
    reporters: ['default'],
  },
});
