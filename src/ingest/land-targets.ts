import path from 'node:path';
import type { Store, Params } from '../store/store.js';
import { landTarget, materializePrelude, type TargetOutcome } from '../store/land.js';
import { SQL_DIR } from '../store/lake-views.js';
import type { Collector } from '../collectors/types.js';
import type { AcquiredFile } from '../acquire/acquire-file.js';
import { tableDoc } from '../lake/schema.js';
import { duplicateKeyLocations } from './duplicate-keys.js';

/** The column of each lake table whose first and last values are a file's landed span. */
const TIME_COLUMN: Record<string, string> = {
  runtime_events: 'ts',
  kube_audit_events: 'request_received_at',
  cloud_events: 'ts',
  k8s_nodes: 'snapshot_at',
  k8s_pods: 'snapshot_at',
  k8s_service_accounts: 'snapshot_at',
  k8s_pod_events: 'received_at',
  collection_log: 'logged_at',
  sensor_log: 'logged_at',
  cloudtrail_digests: 'digest_end_time',
  cloudtrail_objects: 'captured_at',
  cloudtrail_public_keys: 'validity_start',
  aws_ip_ranges: 'published_at',
  ...Object.fromEntries(['aws_instances', 'aws_network_interfaces', 'aws_nat_gateways', 'aws_elastic_ips', 'aws_route_tables', 'aws_vpc_endpoints', 'aws_prefix_lists', 'aws_eks_clusters', 'aws_pod_identity_associations', 'aws_iam_roles'].map((t) => [t, 'snapshot_at'])),
  _rejects: 'line',
};

/** The columns of the pseudo-table `_rejects`: a land SQL file whose rows are only rejects. */
const PROVENANCE = ['row_id', 'evidence_file_id', 'line', 'record_path'];

/**
 * Runs the collector's land SQL over `src`: its prelude, then every target. The outcomes of each
 * evidence file `src` holds (one, or a batch), by file.
 */
export async function runTargets(store: Store, collector: Collector, stagingDir: string, params: Params, positional = false): Promise<Map<string, TargetOutcome[]>> {
  const byFile = new Map<string, TargetOutcome[]>();
  if (collector.prelude) await materializePrelude(store, collector.prelude.table, path.join(SQL_DIR, '20_land', collector.prelude.sqlFile), params);
  for (const t of collector.targets) {
    const columns = t.table === '_rejects' ? PROVENANCE : tableDoc(t.table)!.columns.map((c) => c.name);
    const spec = { table: t.table, sqlPath: path.join(SQL_DIR, '20_land', t.sqlFile), columns, timeColumn: TIME_COLUMN[t.table] ?? 'line', positional };
    for (const [efid, o] of await landTarget(store, spec, stagingDir, params)) byFile.set(efid, [...(byFile.get(efid) ?? []), o]);
  }
  return byFile;
}

/** $duplicate_keys of a doc-mode file: "<evidence id>|<value ordinal>|<record path>". */
export async function duplicateKeysParam(efid: string, a: AcquiredFile, layout: 'lines' | 'document'): Promise<string[]> {
  return [...(await duplicateKeyLocations(a.contentPath, layout))].sort().map((l) => `${efid}|${l}`);
}
