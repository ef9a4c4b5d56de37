import { defineConfig } from 'vitest/config';

// `npm run bench:collect`: the collection benchmark runs through vitest only because its loopback AWS
// servers are TypeScript (test/servers/aws); it asserts nothing and prints its figures.
export default defineConfig({
  test: {
    include: ['test/bench/collect-aws.bench-run.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    silent: false,
  },
});
