/** One row of evidence_files (see src/lake/schema.ts for the meaning of each column). */
export interface EvidenceFileRow {
  evidence_file_id: string;
  sha256: string;
  size_bytes: number;
  inflated_sha256: string | null;
  inflated_size_bytes: number | null;
  gzip_members: number | null;
  origin: string;
  s3_key: string | null;
  raw_path: string;
  source_type: string | null;
  detected_by: string | null;
  layout: string | null;
  status: 'landed' | 'refused';
  refusal_reason: string | null;
  records_total: number;
  records_landed: number;
  records_rejected: number;
  records_duplicate: number;
  records_out_of_window: number;
  blank_lines: number;
  first_record_at: string | null;
  last_record_at: string | null;
  snapshot_at: string | null;
  acquired_at: string;
  collected_at: string | null;
  operator: string;
  tool_version: string;
  ingest_id: string;
}
