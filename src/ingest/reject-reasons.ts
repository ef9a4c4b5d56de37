/** Reject reason codes (docs/ingest.md, "Reject reasons"): every record that does not land has one. */
export const REJECT_REASONS = {
  invalid_json: 'not valid JSON: the line, or a JSON text embedded in the record (a wrapper\'s message string)',
  not_an_object: 'the value is valid JSON but not an object (a scalar, an array where one record is expected, or an embedded event that is not one)',
  invalid_utf8: 'the line is not valid UTF-8',
  record_too_large: 'the record is over 16 MiB',
  truncated_record: 'the record is cut off where the (gzip) stream ends',
  unknown_shape: 'the record is valid JSON but none of the shapes this source writes',
  legacy_shape: 'a legacy event shape podtrail does not map (pre-OSS Tetragon process_connect/close/listen)',
  missing_timestamp: 'the record carries no event time',
  invalid_timestamp: 'the event time is not a valid timestamp',
  missing_id: 'the record carries no identifier (CloudTrail eventID, audit auditID, object uid)',
  unsupported_kind: 'an inventory object of a kind podtrail does not land (only Node, Pod, ServiceAccount)',
  invalid_envelope: 'an envelope whose record list is not an array of objects',
  invalid_value: 'a field holds a value its column cannot hold exactly (an integer out of range or not an integer, an id that is not a string): it would land changed',
  duplicate_key: 'an object of the record holds the same key twice: parsers disagree on its value (JSON.parse, Python and jq take the last, DuckDB the first)',
  gzip_truncated: 'the gzip stream ends before its trailer: the file was cut off',
  gzip_corrupt: 'the gzip data is corrupt',
  gzip_crc_mismatch: 'the gzip CRC32 or length trailer does not match the data',
  gzip_trailing_data: 'bytes after the last gzip member',
  control_message: 'a CloudWatch Logs subscription CONTROL_MESSAGE (a delivery health check): it holds no audit event',
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;

export function rejectMessage(reason: string, detail?: string | null): string {
  const base = (REJECT_REASONS as Record<string, string>)[reason] ?? reason;
  return detail ? `${base}: ${detail}` : base;
}
