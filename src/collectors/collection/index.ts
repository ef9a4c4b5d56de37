import type { Collector } from '../types.js';

/** Collection logs written by `podtrail collect` (podtrail.collection/v1 JSON lines). */
export const collection: Collector = {
  source: 'collection',
  describe: 'podtrail collection logs (podtrail.collection/v1: requests, snapshots, gaps, runs)',
  detect: (s) => s['format'] === 'podtrail.collection/v1',
  input: { mode: 'doc' },
  targets: [{ table: 'collection_log', sqlFile: 'collection_log.sql' }],
};
