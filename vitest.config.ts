import { defineConfig } from 'vitest/config';

// Tests run under a pinned non-UTC time zone and a non-English locale (set by `npm test`)
// so that any leak of local time or host formatting into an output shows up as a failure.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
