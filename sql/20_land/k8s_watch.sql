-- Pod watch events (podtrail.k8s-watch/v1, written by `podtrail collect k8s --watch`) -> k8s_pod_events.
-- Reads relation `src` (doc mode: _efid, _ordinal, _line, _path, _doc JSON: one value per line);
-- params: $window_lo, $window_hi (UTC text).
-- Ends with _disposition: landed | out_of_window | reject.<reason>.
--
-- Accepted shape, one JSON object per line:
--   {"format":"podtrail.k8s-watch/v1","collection":"k8s-...","run":1,"request":7,
--    "received_at":"2026-10-20T09:51:02.123Z","event":{"type":"MODIFIED","object":{...}}}
--   `event` is the watch event exactly as the API server sent it (one line of its stream);
--   received_at is the collector's clock when that line arrived. Record = the line (record_path "").
--
-- Field choices: the pod fields as in k8s_pods (pt_pod_* macros). deletion_requested_at =
-- deletionTimestamp - deletionGracePeriodSeconds (the API server sets deletionTimestamp to the
-- request time plus the grace period). BOOKMARK events land with only their resourceVersion; ERROR
-- events with the Status they carry (410 Expired: the watch had to relist).
-- Dispositions: not this shape (no event, or an event without a type) -> reject.unknown_shape;
-- received_at absent -> reject.missing_timestamp, unparsable -> reject.invalid_timestamp; an
-- ADDED/MODIFIED/DELETED event whose object has no uid -> reject.missing_id; received_at outside
-- the window -> out_of_window.

with

lines as (
    select
        _efid,
        _ordinal,
        _line,
        json_type(_doc) as doc_type,
        _doc ->> 'format' as format,
        _doc ->> 'collection' as collection_id,
        try_cast(_doc ->> 'run' as INTEGER) as run,
        try_cast(_doc ->> 'request' as INTEGER) as request_seq,
        _doc ->> 'received_at' as received_raw,
        _doc ->> '$.event.type' as event_type,
        json_extract(_doc, '$.event.object') as object
    from src
),

events as (
    select
        *,
        pt_inventory_pod(object) as p
    from lines
),

normalized as (
    select
        *,
        pt_ts(received_raw) as received_at,
        pt_pod_container_statuses(p) as statuses,
        pt_ts(p.metadata.deletionTimestamp) as deletion_timestamp
    from events
),

disposed as (
    select
        *,
        case
            when doc_type is distinct from 'OBJECT' then 'reject.not_an_object'
            when format is distinct from 'podtrail.k8s-watch/v1' or event_type is null then 'reject.unknown_shape'
            when received_raw is null then 'reject.missing_timestamp'
            when received_at is null then 'reject.invalid_timestamp'
            when event_type in ('ADDED', 'MODIFIED', 'DELETED') and nullif(p.metadata.uid, '') is null then 'reject.missing_id'
            when received_at < $window_lo::TIMESTAMP or received_at > $window_hi::TIMESTAMP then 'out_of_window'
            else 'landed'
        end as _disposition
    from normalized
),

final as (
    select
        -- ids
        pt_row_id(_efid, _ordinal) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '' as record_path,
        collection_id,
        run,
        request_seq,
        -- timestamps (UTC)
        received_at,
        -- the event
        event_type,
        p.metadata.resourceVersion as resource_version,
        nullif(p.metadata.uid, '') as uid,
        p.metadata.namespace as namespace,
        p.metadata.name as name,
        p.spec.nodeName as node_name,
        case when event_type in ('ADDED', 'MODIFIED', 'DELETED') then coalesce(nullif(p.spec.serviceAccountName, ''), nullif(p.spec.serviceAccount, ''), 'default') end as service_account,
        p.status.phase as phase,
        pt_pod_ips(p) as pod_ips,
        pt_ip_norm(p.status.hostIP) as host_ip,
        coalesce(try_cast(p.spec.hostNetwork as BOOLEAN), false) as host_network,
        pt_pod_container_ids(statuses) as container_ids,
        pt_pod_image_digests(statuses) as image_digests,
        pt_pod_containers(statuses) as containers,
        p.metadata.ownerReferences[1].kind as owner_kind,
        p.metadata.ownerReferences[1].name as owner_name,
        -- timestamps (UTC)
        pt_ts(p.metadata.creationTimestamp) as created_at,
        pt_ts(p.status.startTime) as started_at,
        deletion_timestamp,
        p.metadata.deletionGracePeriodSeconds as deletion_grace_seconds,
        deletion_timestamp - to_seconds(coalesce(p.metadata.deletionGracePeriodSeconds, 0)) as deletion_requested_at,
        -- ERROR events: the Status
        case when event_type = 'ERROR' then try_cast(object ->> 'code' as INTEGER) end as status_code,
        case when event_type = 'ERROR' then object ->> 'reason' end as status_reason,
        case when event_type = 'ERROR' then object ->> 'message' end as status_message,
        -- documents
        p.metadata.labels as labels,
        _disposition
    from disposed
)

select * from final
