import type { Collector } from '../types.js';
import { FALCO_COLUMNS } from './read-spec.js';

/** Falco JSON alerts (json_output: true), one per line. */
export const falco: Collector = {
  source: 'falco',
  describe: 'Falco JSON alerts (time, rule, priority, output, output_fields)',
  detect: (s) => typeof s['rule'] === 'string' && typeof s['output_fields'] === 'object' && ('priority' in s || 'output' in s),
  input: { mode: 'columns', columns: FALCO_COLUMNS },
  targets: [{ table: 'runtime_events', sqlFile: 'falco.sql' }],
  rowPerRecord: true,
};
