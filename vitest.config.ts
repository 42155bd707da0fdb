import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Warnings from the loader fallback are part of what some tests check; keep output readable.
    reporters: ['default'],
  },
});
