-- Macros shared by the land SQL and the correlation views. Prefix pt_ (podtrail).

-- Stable row id: evidence file id and the record's 1-based value ordinal in the file
-- (non-blank line or top-level value); pt_row_id_el adds the element index inside an envelope.
create or replace macro pt_row_id(evidence_file_id, ordinal) as
    printf('%s-%08d', evidence_file_id, ordinal);

create or replace macro pt_row_id_el(evidence_file_id, ordinal, element) as
    printf('%s-%08d-%06d', evidence_file_id, ordinal, element);

-- Container ids without their runtime prefix (containerd://, cri-o://, docker://).
create or replace macro pt_strip_runtime_prefix(container_id) as
    nullif(regexp_replace(container_id, '^[A-Za-z0-9_.-]+://', ''), '');

-- The sha256 digest inside an image reference (repo@sha256:...) or image id.
create or replace macro pt_image_digest(image_ref) as
    nullif(regexp_extract(image_ref, 'sha256:[0-9a-f]{64}', 0), '');

-- Any ISO-8601 / RFC 3339 text to a UTC TIMESTAMP_NS (offsets applied; NULL when unparsable).
create or replace macro pt_ts_ns(text) as
    try_cast(text as TIMESTAMP_NS);

-- The same, microseconds: TIMESTAMP. (A plain cast to TIMESTAMP would ignore a +hh:mm offset.)
create or replace macro pt_ts(text) as
    try_cast(try_cast(text as TIMESTAMP_NS) as TIMESTAMP);

-- STS and IAM write some dates as "Apr 16, 2024, 3:20:04 PM" (no zone: UTC).
create or replace macro pt_ts_sts(text) as
    coalesce(
        pt_ts(text),
        try_strptime(text, ['%b %d, %Y, %I:%M:%S %p', '%b %d, %Y %I:%M:%S %p'])::TIMESTAMP
    );

-- The node name encoded in a Tetragon exec_id: base64 of "<node>:<ktime>:<pid>".
create or replace macro pt_exec_id_node(exec_id) as
    nullif(regexp_extract(try(decode(from_base64(exec_id))), '^(.*):[0-9]+:[0-9]+$', 1), '');

-- Protocol names without the IPPROTO_ prefix.
create or replace macro pt_protocol(p) as
    nullif(upper(regexp_replace(p, '^IPPROTO_', '')), '');

-- A count with its noun for a message: "1 pair", "3 pairs" (plural unless exactly one).
create or replace macro pt_count(n, one, many) as
    n || ' ' || case when n = 1 then one else many end;

-- True when the duplicate-key scan (src/ingest/duplicate-keys.ts) found a key twice in one object of
-- this record, or of the value that holds it: `dups` lists "<evidence id>|<value ordinal>|<record
-- path>" ('' for the value itself). Such a record reads differently in different parsers.
create or replace macro pt_has_duplicate_key(dups, evidence_file_id, ordinal, record_path) as
    len(dups) > 0
    and (
        list_contains(dups, evidence_file_id || '|' || ordinal || '|' || coalesce(record_path, ''))
        or list_contains(dups, evidence_file_id || '|' || ordinal || '|')
    );

-- A JSON number or string read as text holds an integer that fits BIGINT / INTEGER exactly
-- ('1.5' would cast to 2, '1e400' and '18446744073709551616' to nothing).
create or replace macro pt_fits_bigint(text) as
    coalesce(regexp_full_match(text, '-?[0-9]+') and try_cast(text as BIGINT) is not null, false);

create or replace macro pt_fits_integer(text) as
    coalesce(regexp_full_match(text, '-?[0-9]+') and try_cast(text as INTEGER) is not null, false);
