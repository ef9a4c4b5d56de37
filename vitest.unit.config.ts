import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The fast tier (`npm run test:unit`): tests of pure modules and of files, no case built, no
// DuckDB-heavy fixture; under a minute on two cores. `npm test` runs these and everything else.
// (Not mergeConfig: it would concatenate `include` with the full suite's.)
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/unit/**/*.test.ts',
      'test/shell/statement-buffer.test.ts',
      'test/collect/sensor-manifests.test.ts',
      'test/collect/fake-api-routes.test.ts',
    ],
  },
});
