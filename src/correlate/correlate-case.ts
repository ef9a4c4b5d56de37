import { readFileSync } from 'node:fs';
import { casePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { withLockedCaseStore } from '../store/locked-case.js';
import { CORRELATE_MEMORY_LIMIT, openCaseStore } from '../store/case-store.js';
import { materializeTables } from '../store/materialize.js';
import { readEvidenceFiles } from '../store/catalog.js';
import { recordAnalysis } from '../custody/analysis-entry.js';
import { createClock, type Clock } from '../core/clock.js';
import { sqlRuleHashes } from '../store/sql-hashes.js';
import { exportAnalysisSnapshot } from '../store/snapshot.js';
import { correlationFingerprint } from './freshness.js';
import { toProgress, type ProgressLike } from '../core/progress.js';
import { faultPoint } from '../core/fault-point.js';
import { materializeTrailValidation, summaryText } from '../cloudtrail-digest/materialize.js';

/** The purpose of this step's 'analyzed' custody entry (podtrail reproduce finds the step by it). */
export const CORRELATE_PURPOSE = 'correlation: pod lifecycle, credential sessions, clock offsets, attributions';

/**
 * The correlation run, in dependency order. A `table` step materializes the public table <name>
 * from view mart_<name>; a `temp` step materializes an intermediate view into a temp table of the
 * same name, which shadows the view for the rest of the run, so later views read it once instead of
 * recomputing it at every reference.
 */
export const CORRELATION_STEPS: { kind: 'temp' | 'table' | 'drop'; name: string }[] = [
  // small lake tables read by many steps: one read of their many Parquet files
  { kind: 'temp', name: 'cloud_events' },
  { kind: 'temp', name: 'k8s_pods' },
  { kind: 'temp', name: 'k8s_nodes' },
  { kind: 'temp', name: 'k8s_service_accounts' },
  { kind: 'temp', name: 'int_net__cluster_addresses' },
  { kind: 'temp', name: 'int_pod__container_ids' },
  { kind: 'temp', name: 'int_pod__runtime_span' },
  { kind: 'table', name: 'pod_lifecycle' },
  { kind: 'temp', name: 'int_cloud__calls' },
  { kind: 'temp', name: 'int_cloud__sessions' },
  { kind: 'table', name: 'credential_sessions' },
  { kind: 'temp', name: 'int_runtime__endpoint_connects' },
  { kind: 'temp', name: 'int_runtime__endpoint_fact_rows' },
  { kind: 'temp', name: 'int_clock__pairs' },
  { kind: 'table', name: 'node_clock_offsets' },
  { kind: 'temp', name: 'int_cloud__role_subjects' },
  { kind: 'temp', name: 'int_cloud__chains' },
  { kind: 'temp', name: 'int_runtime__connects_resolved' },
  { kind: 'temp', name: 'int_runtime__node_coverage' },
  { kind: 'temp', name: 'int_cloud__imds_readers' },
  { kind: 'temp', name: 'int_runtime__cluster_connects' },
  { kind: 'temp', name: 'int_runtime__relay_pairs' },
  { kind: 'temp', name: 'int_runtime__relay_hops' },
  // read by the relay hops only
  { kind: 'drop', name: 'int_runtime__relay_pairs' },
  { kind: 'drop', name: 'int_runtime__cluster_connects' },
  { kind: 'temp', name: 'int_runtime__relays' },
  { kind: 'temp', name: 'int_cloud__suspect_keys' },
  { kind: 'temp', name: 'int_net__egress_facts' },
  { kind: 'table', name: 'egress_facts' },
  { kind: 'temp', name: 'int_attr__events' },
  { kind: 'temp', name: 'int_attr__source_facts' },
  { kind: 'temp', name: 'int_attr__source_owners' },
  { kind: 'temp', name: 'int_attr__relay_chains' },
  { kind: 'temp', name: 'int_attr__candidates' },
  { kind: 'temp', name: 'int_attr__connect_evidence' },
  { kind: 'temp', name: 'int_attr__chain_evidence' },
  { kind: 'temp', name: 'int_attr__evidence' },
  { kind: 'drop', name: 'int_attr__connect_evidence' },
  { kind: 'drop', name: 'int_attr__chain_evidence' },
  { kind: 'temp', name: 'int_attr__scored' },
  { kind: 'temp', name: 'int_attr__direct' },
  { kind: 'temp', name: 'int_attr__final' },
  // read twice by the attributions mart (its candidate lists and its chosen pod)
  { kind: 'temp', name: 'int_attr__candidate_docs' },
  // while the cloud calls it reads are still a table
  { kind: 'temp', name: 'int_attr__pod_tags' },
  // what the attributions mart no longer needs goes before it runs: memory, at scale
  { kind: 'drop', name: 'int_runtime__endpoint_connects' },
  { kind: 'drop', name: 'int_runtime__connects_resolved' },
  { kind: 'drop', name: 'int_clock__pairs' },
  { kind: 'drop', name: 'int_cloud__calls' },
  { kind: 'drop', name: 'cloud_events' },
  { kind: 'drop', name: 'int_attr__candidates' },
  { kind: 'drop', name: 'int_attr__evidence' },
  { kind: 'drop', name: 'int_attr__relay_chains' },
  { kind: 'table', name: 'attributions' },
  { kind: 'table', name: 'credential_misuse' },
  { kind: 'drop', name: 'int_attr__scored' },
  { kind: 'drop', name: 'int_attr__candidate_docs' },
  { kind: 'table', name: 'kube_attributions' },
  { kind: 'table', name: 'pod_human_actions' },
];

/** The AWS ip-ranges publication correlation used (custody records its syncToken and the file's hash), if any. */
async function ipRangesUsed(store: Awaited<ReturnType<typeof openCaseStore>>): Promise<Record<string, unknown> | null> {
  const rows = await store.rows(
    `select r.sync_token, strftime(any_value(r.published_at), '%Y-%m-%dT%H:%M:%SZ') as published_at, r.evidence_file_id, any_value(f.sha256) as sha256, count(*)::INTEGER as prefixes
     from aws_ip_ranges as r left join evidence_files as f on f.evidence_file_id = r.evidence_file_id
     group by r.sync_token, r.evidence_file_id
     order by try_cast(r.sync_token as BIGINT) desc nulls last, r.sync_token desc, r.evidence_file_id
     limit 1`,
  );
  return rows[0] ?? null;
}

export const CORRELATION_TABLE_NAMES = CORRELATION_STEPS.filter((s) => s.kind === 'table').map((s) => s.name);

export interface CorrelateResult {
  rows: Record<string, number>;
  timings: Record<string, number>;
}

/** `podtrail correlate`: materializes the correlation tables of a case from its lake. */
export async function correlateCase(caseDir: string, log?: ProgressLike, clock: Clock = createClock(), actor?: string): Promise<CorrelateResult> {
  const p = casePaths(caseDir);
  loadCaseConfig(p.config);
  return withLockedCaseStore(p, { write: true, memoryLimit: CORRELATE_MEMORY_LIMIT, preserveInsertionOrder: false }, async (store) => {
    const catalog = await readEvidenceFiles(store, p.lake);
    const fingerprint = correlationFingerprint(catalog, readFileSync(p.config));
    const progress = toProgress(log);
    const trail = await materializeTrailValidation(store, p.tmp); // before the marts: the timeline marks unvalidated events
    progress.note(`cloudtrail_validation: ${trail.verdicts.length} verdicts (${summaryText(trail)})`);
    const result = await materializeTables(store, CORRELATION_STEPS, fingerprint, progress);
    faultPoint('after-correlate');
    const ranges = await ipRangesUsed(store);
    recordAnalysis(p.custody, clock, CORRELATE_PURPOSE, {
      ...fingerprint,
      rules: sqlRuleHashes(['30_intermediate', '40_marts']),
      rows: { ...Object.fromEntries(CORRELATION_TABLE_NAMES.map((n) => [n, result.rows[n] ?? 0])), cloudtrail_validation: trail.verdicts.length },
      ...(ranges ? { aws_ip_ranges: ranges } : {}),
    }, actor);
    // readers that find the case held read these tables from the snapshot
    await exportAnalysisSnapshot(store, p);
    return result;
  });
}
