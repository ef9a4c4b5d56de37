import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store.js';
import type { CasePaths } from '../case/case-paths.js';
import type { CaseConfig } from '../case/case-config.js';
import type { EvidenceFileRow } from './evidence-row.js';
import type { FileLanding } from './file-landing.js';
import type { ReplacedCopy } from './land-pending.js';
import { writeRowsParquet } from '../store/write-parquet.js';
import { syncFile } from '../acquire/acquire-file.js';
import { evidenceFilesParquet, orphanPartitions, partitionDir } from '../lake/lake-files.js';
import { LAKE_TABLE_NAMES, tableDoc } from '../lake/schema.js';
import { extendCustody, writeFileDurably, sha256Hex, type CustodyEntryInput } from '../custody/custody-log.js';
import { custodyNext } from '../custody/pending.js';
import { faultPoint } from '../core/fault-point.js';
import { TOOL_ID } from '../core/version.js';
import { sqlRuleHashes } from '../store/sql-hashes.js';
import { ensureViews } from '../store/case-store.js';

export interface CommitInput {
  rows: EvidenceFileRow[];
  /** Inputs refused without being read (special files, links out of the tree, unreadable): custody only. */
  refusedInputs: { origin: string; reason: string }[];
  /** Event copies landed earlier that this ingest's S3 log files replace. */
  replaced: ReplacedCopy[];
  existing: EvidenceFileRow[];
  landings: Map<string, FileLanding>;
  staging: string;
  acquiredAt: string;
  operator: string;
  ingestId: string;
  config: CaseConfig;
  configText: string;
}

export const REDACTION_RULES = 'redaction/v2';

/**
 * Makes an ingest visible, in an order that keeps the case consistent if interrupted anywhere:
 * 1. partitions move from staging into lake/ (invisible: the catalog does not list them yet);
 * 2. the extended custody log is written next to the current one (custody.jsonl.next);
 * 3. the catalog lake/evidence_files is rewritten through a temp file and a rename: the commit point;
 * 4. custody.jsonl.next replaces custody.jsonl (opening the case settles it after a crash: rolled
 *    forward between 3 and 4, dropped when the catalog was not committed; see custody/pending);
 * 5. views are refreshed and partitions no catalog row owns removed.
 */
export async function commitIngest(store: Store, p: CasePaths, c: CommitInput): Promise<void> {
  for (const row of c.rows) {
    const landing = c.landings.get(row.evidence_file_id);
    if (!landing) continue;
    for (const d of landing.landedDirs) {
      const dest = partitionDir(p.lake, d.table, row.evidence_file_id);
      rmSync(dest, { recursive: true, force: true });
      mkdirSync(path.dirname(dest), { recursive: true });
      renameSync(d.dir, dest);
    }
    if (landing.rejects.length > 0) {
      const dest = path.join(partitionDir(p.lake, 'ingest_rejects', row.evidence_file_id), 'part-0.parquet');
      await writeRowsParquet(store, tableDoc('ingest_rejects')!, landing.rejects, dest, p.tmp);
    }
    // the copies this file's S3 records replace join its partition of ingest_duplicates, each row
    // naming its own file: the cloud_events view leaves out every row ingest_duplicates lists
    const replacedHere = c.replaced
      .filter((r) => r.by_evidence_file_id === row.evidence_file_id)
      .map((r) => ({ row_id: r.row_id, evidence_file_id: r.evidence_file_id, line: r.line, record_path: r.record_path, event_id: r.event_id, ts: r.ts }));
    if (landing.duplicates.length > 0 || replacedHere.length > 0) {
      const dest = path.join(partitionDir(p.lake, 'ingest_duplicates', row.evidence_file_id), 'part-0.parquet');
      const dups = [...landing.duplicates.map((d) => ({ ...d, evidence_file_id: row.evidence_file_id })), ...replacedHere];
      await writeRowsParquet(store, tableDoc('ingest_duplicates')!, dups, dest, p.tmp);
    }
  }

  const entries: CustodyEntryInput[] = [];
  const base = { at: c.acquiredAt, actor: c.operator, tool: TOOL_ID };
  for (const r of c.rows) {
    entries.push({
      ...base,
      action: 'acquired',
      purpose: 'copy into raw/ (read-only) and hash before any parsing',
      object: {
        evidence_file_id: r.evidence_file_id,
        origin: r.origin,
        raw_path: r.raw_path,
        sha256: r.sha256,
        size_bytes: r.size_bytes,
        inflated_sha256: r.inflated_sha256,
        ingest_id: c.ingestId,
      },
    });
  }
  for (const r of c.refusedInputs) {
    entries.push({
      ...base,
      action: 'refused',
      purpose: `${r.origin} refused without being read: ${r.reason}`,
      object: { evidence_file_id: null, origin: r.origin, ingest_id: c.ingestId },
    });
  }
  const landedRows = c.rows.filter((r) => r.status === 'landed');
  if (landedRows.length > 0) {
    entries.push({
      ...base,
      action: 'transformed',
      purpose: 'normalization of the acquired files into the Parquet lake',
      object: {
        ingest_id: c.ingestId,
        case_config_sha256: sha256Hex(c.configText),
        rules: {
          decompression: 'gzip members inflated in order; framing checked (CRC32, ISIZE, trailing data); what inflates is kept, the rest rejected',
          normalization: sqlRuleHashes(['20_land']),
          macros: sqlRuleHashes(['00_macros']),
          redaction: `${REDACTION_RULES}: sql/00_macros/pt_redact.sql (sessionToken, secretAccessKey, passwords and keys in arguments replaced by [REDACTED sha256:<12 hex>]); raw/ keeps the originals`,
          deduplication: 'cloud_events.event_id: one copy per event; a CloudTrail S3 log file copy wins over any other delivery whatever the order of ingests (S3 log files land first, and replace a copy landed earlier from another delivery); the other copies are listed in ingest_duplicates',
          scope: {
            window_from: c.config.window.from,
            window_to: c.config.window.to,
            margin_seconds: c.config.window.margin_seconds,
            namespaces: c.config.scope.namespaces,
          },
        },
      },
    });
  }
  if (c.replaced.length > 0) {
    entries.push({
      ...base,
      action: 'transformed',
      purpose: `deduplication: ${c.replaced.length} CloudTrail event${c.replaced.length === 1 ? '' : 's'} landed earlier from another delivery replaced by the copies in S3 log files (moved to ingest_duplicates; the catalog counts of their files updated)`,
      object: {
        ingest_id: c.ingestId,
        replaced: c.replaced.map((r) => ({ event_id: r.event_id, replaced_row_id: r.row_id, replaced_evidence_file_id: r.evidence_file_id, replaced_delivery: r.delivery, by_row_id: r.by_row_id, by_evidence_file_id: r.by_evidence_file_id })),
      },
    });
  }
  for (const r of c.rows) {
    entries.push({
      ...base,
      action: r.status === 'landed' ? 'landed' : 'refused',
      purpose: r.status === 'landed' ? `records of ${r.origin} landed in the lake` : `${r.origin} refused: ${r.refusal_reason}`,
      object: {
        evidence_file_id: r.evidence_file_id,
        source_type: r.source_type,
        records_total: r.records_total,
        records_landed: r.records_landed,
        records_rejected: r.records_rejected,
        records_duplicate: r.records_duplicate,
        records_out_of_window: r.records_out_of_window,
        ingest_id: c.ingestId,
      },
    });
  }
  for (const r of c.rows) await syncFile(path.join(p.root, r.raw_path));
  faultPoint('after-partitions');
  const next = extendCustody(p.custody, entries);
  writeFileDurably(custodyNext(p.custody), next.text);
  faultPoint('after-custody-next');

  // a file whose copies were replaced: those records are duplicates now (landed + ... = total still)
  const replacedPerFile = new Map<string, number>();
  // (a file of this ingest had its counts changed before its row was built)
  for (const r of c.replaced) replacedPerFile.set(r.evidence_file_id, (replacedPerFile.get(r.evidence_file_id) ?? 0) + 1);
  const existing = c.existing.map((r) => {
    const k = replacedPerFile.get(r.evidence_file_id) ?? 0;
    return k === 0 ? r : { ...r, records_landed: Number(r.records_landed) - k, records_duplicate: Number(r.records_duplicate) + k };
  });
  const all = [...existing, ...c.rows].sort((a, b) => (a.evidence_file_id < b.evidence_file_id ? -1 : 1));
  await writeRowsParquet(store, tableDoc('evidence_files')!, all, evidenceFilesParquet(p.lake), p.tmp);
  faultPoint('after-catalog');
  renameSync(custodyNext(p.custody), p.custody);
  faultPoint('after-custody');

  await ensureViews(store, p);
  const ids = new Set(all.map((r) => r.evidence_file_id));
  for (const dir of orphanPartitions(p.lake, LAKE_TABLE_NAMES, ids)) rmSync(dir, { recursive: true, force: true });
  if (existsSync(c.staging)) rmSync(c.staging, { recursive: true, force: true });
}
