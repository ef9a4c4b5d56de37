import type { Collector } from '../types.js';

/** Sensor logs written by `podtrail sensor` (podtrail.sensor/v1 JSON lines). */
export const sensor: Collector = {
  source: 'sensor',
  describe: 'podtrail sensor logs (podtrail.sensor/v1: deployment and filter, nodes, clock reports, enrichment, gaps, removal)',
  detect: (s) => s['format'] === 'podtrail.sensor/v1',
  input: { mode: 'doc' },
  targets: [{ table: 'sensor_log', sqlFile: 'sensor_log.sql' }],
};
