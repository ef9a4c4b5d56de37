-- Sensor logs (podtrail.sensor/v1, written by `podtrail sensor deploy|collect|remove`) -> sensor_log.
-- Reads relation `src` (doc mode: _efid, _ordinal, _line, _path, _doc JSON: one value per line).
-- Ends with _disposition: landed | reject.<reason>.
--
-- Accepted shape, one JSON object per line, {"format":"podtrail.sensor/v1","deployment_id":...,
-- "run":...,"sensor":...,"record":...,"at":...}: deployment (the filter deployed), existing-sensor,
-- object, node, clock, enrichment, gap, log, removal; see src/lake/sensor-schema.ts. Record = the line
-- (record_path ""). Its frame (ids, run, record, logged_at = at, the disposition) is pt_log_lines
-- (sql/00_macros/pt_log.sql). A sensor log describes the collection, not the incident: never out of window.

with

lines as (
    select *
    from pt_log_lines(
        src,
        'podtrail.sensor/v1',
        ['deployment', 'existing-sensor', 'object', 'node', 'clock', 'enrichment', 'gap', 'log', 'removal'],
        'deployment_id',
        ['at']
    )
),

final as (
    select
        -- ids, run, record, logged_at (UTC): the frame pt_log_lines gives every line
        * exclude (_doc, _disposition) rename (log_id as deployment_id),
        -- what
        _doc ->> 'sensor' as sensor,
        _doc ->> 'node' as node_name,
        _doc ->> 'pod_namespace' as pod_namespace,
        _doc ->> 'pod_name' as pod_name,
        _doc ->> 'state' as state,
        _doc ->> 'reason' as reason,
        -- the filter deployed
        _doc ->> 'filter_id' as filter_id,
        try_cast(_doc ->> 'alerts_every_outbound_connect' as BOOLEAN) as alerts_every_outbound_connect,
        try_cast(_doc ->> 'alerts_every_exec' as BOOLEAN) as alerts_every_exec,
        _doc ->> 'sha256' as sha256,
        _doc -> 'detail' ->> 'filter_sha256' as filter_sha256,
        -- gaps
        pt_ts(_doc ->> 'from') as gap_from,
        pt_ts(_doc ->> 'to') as gap_to,
        -- clocks
        pt_ts_ns(_doc ->> 'node_time') as node_time,
        pt_ts(_doc ->> 'server_time') as server_time,
        try_cast(_doc ->> 'clock_offset_ms' as DOUBLE) as clock_offset_ms,
        try_cast(_doc ->> 'clock_uncertainty_ms' as DOUBLE) as clock_uncertainty_ms,
        _doc ->> 'timesync' as timesync,
        -- enrichment
        try_cast(_doc ->> 'events' as BIGINT) as events,
        try_cast(_doc ->> 'share_pod_uid' as DOUBLE) as share_pod_uid,
        try_cast(_doc ->> 'share_image_digest' as DOUBLE) as share_image_digest,
        try_cast(_doc ->> 'share_service_account' as DOUBLE) as share_service_account,
        _doc -> 'detail' as detail,
        _doc ->> 'message' as message,
        _disposition
    from lines
)

select * from final
