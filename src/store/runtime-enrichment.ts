import type { CasePaths } from '../case/case-paths.js';
import { lockCase } from '../case/case-lock.js';
import { openCaseStore } from './case-store.js';

export interface NodeEnrichment {
  node_name: string;
  source: string;
  kind: string;
  status: string;
  value: number | null;
  detail: { events: number; host_events: number; share_pod_uid: number | null; share_image_digest: number | null; share_service_account: number | null };
  message: string;
}

/**
 * The runtime-enrichment check (sql/50_checks/chk_runtime_enrichment.sql) over the case as it is
 * now, for the live verification of `podtrail sensor`: pod_lifecycle is computed from the lake for
 * this query only (a temp table shadowing the correlation table), so no correlation has to run
 * first and nothing of the case's correlation changes.
 */
export async function runtimeEnrichment(p: CasePaths, source: string, nodes: string[]): Promise<NodeEnrichment[]> {
  const unlock = lockCase(p.lock, p.root);
  let store: Awaited<ReturnType<typeof openCaseStore>>;
  try {
    store = await openCaseStore(p, { write: true });
  } catch (e) {
    unlock();
    throw e;
  }
  try {
    await store.run('create or replace temp table pod_lifecycle as select * from mart_pod_lifecycle');
    const rows = await store.rows<Omit<NodeEnrichment, 'detail'> & { detail: string }>(
      `select node_name, source, kind, status, value::DOUBLE as value, detail::VARCHAR as detail, message
       from chk_runtime_enrichment where source = $source and list_contains($nodes, node_name) order by node_name`,
      { source, nodes },
    );
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as NodeEnrichment['detail'] }));
  } finally {
    store.close();
    unlock();
  }
}
