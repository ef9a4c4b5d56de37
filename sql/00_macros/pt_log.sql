-- The frame of podtrail's own JSON-lines logs (collection_log.sql, sensor_log.sql): one record per
-- line of `src` (doc mode), {"format": <format>, "record": <one of records>, <a time key>: ..., ...}.
-- Applied after pt_common.sql (lexical order), so it may use its macros.
--
-- pt_log_lines(src, format, records, id_key, time_keys): every value of `src` with
--   row_id, evidence_file_id, line, record_path ('': the line is the record), log_id (the id_key
--   member: the collection or deployment the line belongs to), run, record,
--   logged_at (the first of time_keys the line has, UTC), _doc (the line, for the fields of its
--   format) and _disposition: a value that is not an object -> reject.not_an_object; another format
--   or record -> reject.unknown_shape; none of time_keys -> reject.missing_timestamp, an
--   unparsable one -> reject.invalid_timestamp; else landed. A log describes the collection, not
--   the incident: never out_of_window.
create or replace macro pt_log_lines(src, format, records, id_key, time_keys) as table
    select
        pt_row_id(_efid, _ordinal) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '' as record_path,
        _doc ->> id_key as log_id,
        try_cast(_doc ->> 'run' as INTEGER) as run,
        record,
        pt_ts(at_raw) as logged_at,
        _doc,
        case
            when json_type(_doc) is distinct from 'OBJECT' then 'reject.not_an_object'
            when _doc ->> 'format' is distinct from format or not list_contains(records, record) then 'reject.unknown_shape'
            when at_raw is null then 'reject.missing_timestamp'
            when pt_ts(at_raw) is null then 'reject.invalid_timestamp'
            else 'landed'
        end as _disposition
    from (
        select
            *,
            _doc ->> 'record' as record,
            list_filter(json_extract_string(_doc, time_keys), t -> t is not null)[1] as at_raw
        from query_table(src)
    );
