import type { Collector } from '../types.js';

const LIST_KINDS = new Set(['List', 'NodeList', 'PodList', 'ServiceAccountList']);
const OBJECT_KINDS = new Set(['Node', 'Pod', 'ServiceAccount']);

/** `kubectl get nodes|pods|serviceaccounts -o json`: Lists and single objects. */
export const inventory: Collector = {
  source: 'inventory',
  describe: 'kubectl get nodes|pods|serviceaccounts -o json (Lists or single objects)',
  detect: (s) =>
    (typeof s['kind'] === 'string' && LIST_KINDS.has(s['kind']) && Array.isArray(s['items'])) ||
    (typeof s['kind'] === 'string' && OBJECT_KINDS.has(s['kind']) && typeof s['metadata'] === 'object'),
  input: { mode: 'doc' },
  needsSnapshot: true,
  prelude: { table: 'inventory_items', sqlFile: 'inventory_items.sql' },
  targets: [
    { table: 'k8s_nodes', sqlFile: 'inventory_nodes.sql' },
    { table: 'k8s_pods', sqlFile: 'inventory_pods.sql' },
    { table: 'k8s_service_accounts', sqlFile: 'inventory_service_accounts.sql' },
    { table: '_rejects', sqlFile: 'inventory_other.sql' },
  ],
};
