import { quotedIdentifier } from '@duckdb/node-api';
import type { Store, ParamValue } from './store.js';
import type { CaseConfig } from '../case/case-config.js';
import { CASE_TABLES } from '../lake/case-tables.js';
import { ipRange } from '../core/ip-range.js';
import type { TableDoc } from '../lake/schema.js';

function sqlTs(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}

async function replaceTable(store: Store, t: TableDoc, rows: Record<string, ParamValue>[]): Promise<void> {
  const cols = t.columns.map((c) => `${quotedIdentifier(c.name)} ${c.type}`).join(', ');
  await store.run(`create or replace table ${quotedIdentifier(t.name)} (${cols})`);
  const insert = `insert into ${quotedIdentifier(t.name)} values (${t.columns.map((c) => `$${c.name}::${c.type}`).join(', ')})`;
  for (const r of rows) await store.run(insert, r);
}

/** Writes case.yaml into the case tables (case_settings, case_egress, case_endpoints, case_node_offsets, case_sensors). */
export async function writeCaseTables(store: Store, cfg: CaseConfig): Promise<void> {
  const doc = (name: string): TableDoc => CASE_TABLES.find((t) => t.name === name)!;
  await replaceTable(store, doc('case_settings'), [
    {
      case_id: cfg.case_id,
      window_from: sqlTs(cfg.window.from),
      window_to: sqlTs(cfg.window.to),
      margin_seconds: cfg.window.margin_seconds,
      tolerance_seconds: cfg.clock.tolerance_seconds,
      expected_gap_floor_seconds: cfg.gaps.expected_gap_floor_seconds,
      expected_gap_ceiling_seconds: cfg.gaps.expected_gap_ceiling_seconds,
      namespaces: cfg.scope.namespaces,
      reason: cfg.window.reason,
    },
  ]);
  const egress: Record<string, ParamValue>[] = [];
  for (const e of cfg.egress) {
    for (const pub of e.public) {
      const pr = ipRange(pub);
      const base = { label: e.label, public_cidr: pub, public_lo: pr?.lo ?? null, public_hi: pr?.hi ?? null };
      for (const n of e.nodes) egress.push({ ...base, node_name: n, subnet_cidr: null, subnet_lo: null, subnet_hi: null });
      for (const s of e.subnets) {
        const sr = ipRange(s);
        egress.push({ ...base, node_name: null, subnet_cidr: s, subnet_lo: sr?.lo ?? null, subnet_hi: sr?.hi ?? null });
      }
      if (e.nodes.length === 0 && e.subnets.length === 0) egress.push({ ...base, node_name: null, subnet_cidr: null, subnet_lo: null, subnet_hi: null });
    }
  }
  await replaceTable(store, doc('case_egress'), egress);
  const endpoints: Record<string, ParamValue>[] = [];
  for (const e of cfg.endpoints) {
    for (const a of e.addresses) {
      const r = ipRange(a);
      endpoints.push({ service: e.service, cidr: a, lo: r?.lo ?? null, hi: r?.hi ?? null, vpc_endpoint_id: e.vpc_endpoint_id || null });
    }
  }
  await replaceTable(store, doc('case_endpoints'), endpoints);
  await replaceTable(
    store,
    doc('case_node_offsets'),
    Object.entries(cfg.clock.node_offsets_seconds).map(([node_name, offset_seconds]) => ({ node_name, offset_seconds })),
  );
  const sensors: Record<string, ParamValue>[] = [];
  for (const s of cfg.sensors) {
    for (const node_name of s.nodes.length > 0 ? s.nodes : [null]) sensors.push({ sensor: s.kind, node_name, alerts_every_outbound_connect: s.alerts_every_outbound_connect });
  }
  await replaceTable(store, doc('case_sensors'), sensors);
}
