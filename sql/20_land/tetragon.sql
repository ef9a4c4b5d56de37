-- Tetragon JSON export -> runtime_events.
-- Reads relation `src` (_line, _path, _ordinal, one column per top-level key of the event);
-- params: _efid, $window_lo, $window_hi (TIMESTAMP_NS), $namespaces (VARCHAR[]).
-- Ends with _disposition: landed | out_of_window | reject.<reason> (invalid_value: pid, uid, a port
-- or the drop count is present but is no integer of its column's range).

with

events as (
    select * from src
),

typed as (
    select
        *,
        case
            when process_exec is not null then 'process_exec'
            when process_exit is not null then 'process_exit'
            when process_kprobe is not null then 'process_kprobe'
            when process_tracepoint is not null then 'process_tracepoint'
            when process_uprobe is not null then 'process_uprobe'
            when process_lsm is not null then 'process_lsm'
            when process_loader is not null then 'process_loader'
            when process_usdt is not null then 'process_usdt'
            when process_throttle is not null then 'process_throttle'
            when rate_limit_info is not null then 'rate_limit_info'
            when process_connect is not null or process_close is not null or process_listen is not null then 'legacy'
        end as event_type,
        coalesce(
            process_exec.process, process_exit.process, process_kprobe.process, process_tracepoint.process,
            process_uprobe.process, process_lsm.process, process_loader.process, process_usdt.process
        ) as proc,
        list_filter(process_kprobe.args, a -> a.sock_arg is not null)[1].sock_arg as sock
    from events
),

normalized as (
    select
        -- ids
        pt_row_id(_efid, _ordinal) as row_id,
        split_part(row_id, '-', 1) as evidence_file_id,
        _line as line,
        _path as record_path,
        case
            when event_type = 'process_kprobe'
                then proc.exec_id || '/' || coalesce(process_kprobe.function_name, '') || '/' || coalesce(sock.cookie, time, '')
            else proc.exec_id
        end as source_event_id,
        -- timestamps (UTC)
        -- process.start_time stands in for a missing `time` only: a `time` that does not parse is
        -- rejected (invalid_timestamp), never replaced by another instant
        case when time is not null then pt_ts_ns(time) when event_type = 'process_exec' then pt_ts_ns(proc.start_time) end as ts,
        coalesce(time, case when event_type = 'process_exec' then proc.start_time end) as ts_raw,
        -- dimensions
        'tetragon' as source,
        case
            when event_type = 'process_exec' then 'exec'
            when event_type = 'process_exit' then 'exit'
            when event_type = 'process_kprobe' and sock is not null
                -- list_contains, not IN: an IN list of 5 or more becomes a join, which loses the row order
                and list_contains(['tcp_connect', 'tcp_v4_connect', 'tcp_v6_connect', 'security_socket_connect', '__sys_connect'], process_kprobe.function_name)
                then 'connect'
            else 'other'
        end as kind,
        event_type,
        case
            when len($namespaces) = 0 then true
            else coalesce(list_contains($namespaces, proc.pod.namespace), false)
        end as in_scope,
        node_name,
        pt_exec_id_node(proc.exec_id) as exec_id_node,
        proc.pod.namespace as pod_namespace,
        proc.pod.name as pod_name,
        nullif(proc.pod.uid, '') as pod_uid,
        pt_strip_runtime_prefix(proc.pod.container.id) as container_id,
        proc.pod.container.name as container_name,
        proc.pod.container.image.name as image_ref,
        pt_image_digest(proc.pod.container.image.id) as image_digest,
        try_cast(proc.pid as BIGINT) as pid,
        proc.exec_id as exec_id,
        proc.parent_exec_id as parent_exec_id,
        proc."binary" as "binary",
        pt_redact_args(proc.arguments) as arguments,
        try_cast(proc.uid as BIGINT) as uid,
        pt_ip_norm(sock.saddr) as src_ip,
        try_cast(sock.sport as INTEGER) as src_port,
        pt_ip_norm(sock.daddr) as dst_ip,
        try_cast(sock.dport as INTEGER) as dst_port,
        pt_protocol(sock.protocol) as protocol,
        process_kprobe.function_name as function_name,
        try_cast(rate_limit_info.number_of_dropped_process_events as BIGINT) as sensor_dropped,
        case
            when proc.pod is null then null
            when proc.pod.uid is not null then 'v1.6+'
            else 'pre-v1.6'
        end as sensor_version_hint,
        -- disposition inputs
        time,
        -- an integer field whose value does not fit its column (1e400, 2^64, 1.5, true, an object)
        -- would land as NULL: the record is rejected instead
        (proc.pid is not null and not pt_fits_bigint(proc.pid))
            or (proc.uid is not null and not pt_fits_bigint(proc.uid))
            or (sock.sport is not null and not pt_fits_integer(sock.sport))
            or (sock.dport is not null and not pt_fits_integer(sock.dport))
            or (
                rate_limit_info.number_of_dropped_process_events is not null
                and not pt_fits_bigint(rate_limit_info.number_of_dropped_process_events)
            ) as value_does_not_fit
    from typed
),

final as (
    select
        * exclude (time, value_does_not_fit),
        case
            when event_type is null then 'reject.unknown_shape'
            when event_type = 'legacy' then 'reject.legacy_shape'
            when ts_raw is null then 'reject.missing_timestamp'
            when ts is null then 'reject.invalid_timestamp'
            when value_does_not_fit then 'reject.invalid_value'
            when ts < $window_lo::TIMESTAMP_NS or ts > $window_hi::TIMESTAMP_NS then 'out_of_window'
            else 'landed'
        end as _disposition
    from normalized
)

select * from final
