import type { PendingFile } from './acquire-inputs.js';
import type { FileLanding } from './file-landing.js';

export type { EvidenceFileRow } from '../lake/evidence-file-row.js';
import type { EvidenceFileRow } from '../lake/evidence-file-row.js';

/** The S3 object key of a CloudTrail log file, from its recorded origin (never from raw/). */
export function s3KeyFromOrigin(origin: string): string | null {
  const i = origin.indexOf('AWSLogs/');
  return i === -1 ? null : origin.slice(i);
}

/**
 * An input as a report names it: its origin when relative to the case, else only its file name
 * (an absolute origin is a local path of the acquiring machine; manifest.json keeps it).
 */
export function reportedOrigin(origin: string): string {
  return origin.startsWith('/') || /^[A-Za-z]:[\\/]/.test(origin) ? origin.slice(origin.search(/[^\\/]*$/)) : origin;
}

/** What one ingest run records of every file it acquired. */
export interface AcquisitionMeta {
  acquiredAt: string;
  /** When the evidence was collected from its source (ingest --collected-at), when the operator knows it. */
  collectedAt: string | null;
  operator: string;
  toolVersion: string;
  ingestId: string;
}

/** The evidence_files row of an acquired file: landed with its counts, or refused with the reason. */
export function evidenceFileRow(x: PendingFile, landing: FileLanding | null, meta: AcquisitionMeta): EvidenceFileRow {
  const refused = x.refusal !== null || landing === null;
  return {
    evidence_file_id: x.efid,
    sha256: x.acquired.sha256,
    size_bytes: x.acquired.size,
    inflated_sha256: x.acquired.gzip?.inflatedSha256 ?? null,
    inflated_size_bytes: x.acquired.gzip?.inflatedSize ?? null,
    gzip_members: x.acquired.gzip?.members ?? null,
    origin: x.input.origin,
    s3_key: s3KeyFromOrigin(x.input.origin),
    raw_path: x.rawRel,
    source_type: x.collector?.source ?? null,
    detected_by: x.detectedBy,
    layout: x.layout,
    status: refused ? 'refused' : 'landed',
    refusal_reason: x.refusal,
    records_total: landing?.total ?? 0,
    records_landed: landing?.landed ?? 0,
    records_rejected: landing?.rejected ?? 0,
    records_duplicate: landing?.duplicate ?? 0,
    records_out_of_window: landing?.outOfWindow ?? 0,
    blank_lines: landing?.blankLines ?? x.acquired.scan.blankLines,
    first_record_at: landing?.firstAt ?? null,
    last_record_at: landing?.lastAt ?? null,
    snapshot_at: x.snapshotAt,
    acquired_at: meta.acquiredAt,
    collected_at: meta.collectedAt,
    operator: meta.operator,
    tool_version: meta.toolVersion,
    ingest_id: meta.ingestId,
  };
}
