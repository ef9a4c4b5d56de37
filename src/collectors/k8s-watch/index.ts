import type { Collector } from '../types.js';

/** Pod watch events written by `podtrail collect k8s --watch` (podtrail.k8s-watch/v1 JSON lines). */
export const k8sWatch: Collector = {
  source: 'k8s-watch',
  describe: 'Kubernetes pod watch events (podtrail.k8s-watch/v1 lines of podtrail collect k8s)',
  detect: (s) => s['format'] === 'podtrail.k8s-watch/v1',
  input: { mode: 'doc' },
  targets: [{ table: 'k8s_pod_events', sqlFile: 'k8s_watch.sql' }],
};
