/**
 * What must hold of a case after anything happened to it (a crash, a bad input, a refusal): the
 * lake is the catalog's and nothing else; raw/ holds exactly the catalogued copies, each with its
 * acquisition hash; the custody log is one intact chain that covers every catalogued input; no
 * pending roll-forward or temp file is left; every file's records are accounted for.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { casePaths } from '../../src/case/case-paths.js';
import { readCustody, verifyChain } from '../../src/custody/custody-log.js';
import { uncoveredInputs } from '../../src/custody/coverage.js';
import { sha256File } from '../../src/bundle/files.js';
import { query } from '../helpers/case.js';

export async function caseProblems(caseDir: string): Promise<string[]> {
  const p = casePaths(caseDir);
  const problems: string[] = [];
  // query settles the case first, as every command does
  const catalog = await query(caseDir, 'select evidence_file_id, raw_path, sha256, records_total, records_landed, records_rejected, records_duplicate, records_out_of_window from evidence_files order by 1');
  const rows = await query(
    caseDir,
    `select evidence_file_id, count(*)::BIGINT as n from (
       select evidence_file_id from runtime_events union all select evidence_file_id from kube_audit_events
       union all select evidence_file_id from cloud_events union all select evidence_file_id from k8s_nodes
       union all select evidence_file_id from k8s_pods union all select evidence_file_id from k8s_service_accounts)
     group by 1`,
  );
  const landedRows = new Map(rows.map((r) => [String(r['evidence_file_id']), Number(r['n'])]));
  for (const r of catalog) {
    const id = String(r['evidence_file_id']);
    const n = (k: string): number => Number(r[k]);
    if (n('records_landed') + n('records_rejected') + n('records_duplicate') + n('records_out_of_window') !== n('records_total')) problems.push(`${id}: records do not add up`);
    if ((landedRows.get(id) ?? 0) !== n('records_landed')) problems.push(`${id}: ${landedRows.get(id) ?? 0} lake rows, ${n('records_landed')} landed in the catalog`);
    const raw = path.join(p.root, String(r['raw_path']));
    if (!existsSync(raw)) problems.push(`${id}: ${r['raw_path']} missing`);
    else if ((await sha256File(raw)).sha256 !== r['sha256']) problems.push(`${id}: ${r['raw_path']} does not match its hash`);
  }
  const catalogued = new Set(catalog.map((r) => String(r['raw_path'])));
  if (existsSync(p.raw)) for (const f of readdirSync(p.raw)) if (!catalogued.has(`raw/${f}`)) problems.push(`raw/${f} is not catalogued`);
  const ids = new Set(catalog.map((r) => String(r['evidence_file_id'])));
  if (existsSync(p.lake)) {
    for (const t of readdirSync(p.lake)) {
      if (t === 'evidence_files' || t.startsWith('.') || t.startsWith('_')) continue;
      for (const part of readdirSync(path.join(p.lake, t))) {
        const m = /^evidence_file_id=(.+)$/.exec(part);
        if (m && !ids.has(m[1]!)) problems.push(`lake/${t}/${part} is not catalogued`);
      }
    }
  }
  const { entries, lines } = readCustody(p.custody);
  problems.push(...verifyChain(lines));
  problems.push(...uncoveredInputs(entries, catalog.map((r) => ({ evidence_file_id: String(r['evidence_file_id']), sha256: String(r['sha256']) }))));
  for (const left of [`${p.custody}.next`, `${p.custody}.tmp`, p.staging]) if (existsSync(left)) problems.push(`${path.relative(p.root, left)} left behind`);
  return problems;
}
