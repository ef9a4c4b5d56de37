-- Collection logs (podtrail.collection/v1, written by `podtrail collect`) -> collection_log.
-- Reads relation `src` (doc mode: _efid, _ordinal, _line, _path, _doc JSON: one value per line).
-- Ends with _disposition: landed | reject.<reason>.
--
-- Accepted shape, one JSON object per line, {"format":"podtrail.collection/v1","record":...}:
--   request   one request of the collector: method, path, status, outcome, sizes and SHA-256 of
--             request and response, response_file, the server's Date and our clock against it;
--   snapshot  a complete List: resource, snapshot_at, server_date, items, pages, files;
--   gap       what could not be collected: gap (forbidden | not-collected | interrupted |
--             watch-expired | watch-paused), resource, verb, from, to, message;
--   run       a run's start or end: state, identity, identity_source, message.
-- Record = the line (record_path ""). Its frame (ids, run, record, logged_at, the disposition) is
-- pt_log_lines (sql/00_macros/pt_log.sql): logged_at is responded_at, else at. A collection log
-- describes the collection, not the incident: never out of window (as inventory).

with

lines as (
    select *
    from pt_log_lines(
        src,
        'podtrail.collection/v1',
        ['request', 'snapshot', 'gap', 'run'],
        'collection_id',
        ['responded_at', 'at']
    )
),

final as (
    select
        -- ids, run, record, logged_at (UTC): the frame pt_log_lines gives every line
        * exclude (_doc, _disposition) rename (log_id as collection_id),
        -- what
        _doc ->> 'server' as server,
        _doc ->> 'resource' as resource,
        _doc ->> 'verb' as verb,
        -- requests
        try_cast(_doc ->> 'seq' as INTEGER) as seq,
        try_cast(_doc ->> 'attempt' as INTEGER) as attempt,
        _doc ->> 'method' as method,
        _doc ->> 'path' as path,
        try_cast(_doc ->> 'status' as INTEGER) as status,
        _doc ->> 'outcome' as outcome,
        _doc ->> 'resource_version' as resource_version,
        pt_ts(_doc ->> 'requested_at') as requested_at,
        try_cast(_doc ->> 'request_bytes' as BIGINT) as request_bytes,
        _doc ->> 'request_sha256' as request_sha256,
        try_cast(_doc ->> 'response_bytes' as BIGINT) as response_bytes,
        _doc ->> 'response_sha256' as response_sha256,
        _doc ->> 'response_file' as response_file,
        _doc ->> 'request_id' as request_id,
        _doc -> 'parameters' as parameters,
        try_cast(_doc ->> 'retry_delay_ms' as BIGINT) as retry_delay_ms,
        try_cast(_doc ->> 'throttle_wait_ms' as BIGINT) as throttle_wait_ms,
        pt_ts(_doc ->> 'server_date') as server_date,
        try_cast(_doc ->> 'clock_difference_ms' as BIGINT) as clock_difference_ms,
        -- snapshots
        pt_ts(_doc ->> 'snapshot_at') as snapshot_at,
        try_cast(_doc ->> 'items' as BIGINT) as items,
        try_cast(_doc ->> 'pages' as INTEGER) as pages,
        -- gaps
        _doc ->> 'gap' as gap,
        pt_ts(_doc ->> 'from') as gap_from,
        pt_ts(_doc ->> 'to') as gap_to,
        -- runs
        _doc ->> 'state' as state,
        _doc ->> 'identity' as identity,
        _doc ->> 'identity_source' as identity_source,
        _doc ->> 'message' as message,
        _disposition
    from lines
)

select * from final
