-- Falco JSON alerts (json_output: true) -> runtime_events.
-- Reads relation `src` (columns mode: _ordinal, _line, _path and the typed columns of
-- src/collectors/falco/read-spec.ts: uuid, time, rule, priority, source, hostname, output, tags,
-- output_fields JSON); params: _efid, $window_lo, $window_hi (TIMESTAMP_NS),
-- $namespaces (VARCHAR[]). Ends with _disposition: landed | out_of_window | reject.<reason>.
--
-- Accepted: one alert object per line, as Falco writes them (file_output / stdout / falcosidekick
-- webhook body). output_fields holds only the fields the rule's output string names, so every
-- column below may be NULL; the formatted `output` text is kept in the raw file only (its layout is
-- chosen by each rule author, so podtrail does not scrape it).
--
-- Columns and choices (see src/lake/schema.ts):
--   * ts: the top-level `time` (RFC 3339, ns) via pt_ts_ns; when `time` is absent, output_fields
--     "evt.time" (else "evt.time.iso8601"), a ns epoch INTEGER above 2^53, read as text (json_extract_string) so
--     every digit is kept, then make_timestamp_ns. ts_raw: `time` as written, else those digits.
--     A `time` that is present but unparsable rejects the alert (invalid_timestamp) rather than
--     silently switching to evt.time.
--   * kind: 'connect' when evt.type is connect, or when evt.type is absent, the rule name reads
--     like a network-connection rule (outbound, egress, connection, contact ...) and a server or
--     remote address (fd.sip / fd.rip) is present; 'exec' when evt.type is execve/execveat, or when
--     evt.type is absent and the rule name says a process was started (spawn, launch, terminal
--     shell, run shell, execute, exec, run: the default spawned_process rules); else 'other' (file,
--     drop and other alerts). An evt.type other than connect/execve/execveat always means 'other'.
--   * event_type = rule; node_name = hostname (the node when FALCO_HOSTNAME is set, else the Falco pod);
--     source_event_id = uuid; function_name = evt.type.
--   * pod_namespace / pod_name / pod_uid: k8s.ns.name, k8s.pod.name, k8s.pod.uid, falling back to the
--     k8smeta plugin's k8smeta.ns.name, k8smeta.pod.name, k8smeta.pod.uid ("<NA>" and "" are NULL).
--   * container_id: container.full_id, else container.id (12 chars); "host" (a host process) is NULL,
--     and so is container_name then. image_ref = container.image.repository ':' container.image.tag
--     (the repository alone without a tag); image_digest = container.image.digest (a string; the
--     first element when an array).
--   * pid = proc.pid, binary = proc.exepath, arguments = proc.cmdline through pt_redact_args,
--     uid = user.uid.
--   * addresses: client fd.cip:fd.cport -> src, server fd.sip:fd.sport -> dst; without them, for a
--     connect, local fd.lip:fd.lport -> src and remote fd.rip:fd.rport -> dst; without any of those,
--     fd.name (client:port->server:port, as the stock metadata-service rule prints it). protocol = fd.l4proto.
--   * sensor_dropped: on the "Falco internal: syscall event drop" alert (or any alert carrying
--     n_drops), output_fields n_drops, else n_drops_buffer_total.
--   * exec_id, parent_exec_id, exec_id_node and sensor_version_hint are Tetragon-only: NULL.
--   * in_scope as in tetragon.sql: true when $namespaces is empty, else the pod namespace is listed
--     (host processes: false).
-- Dispositions as tetragon.sql: no rule -> reject.unknown_shape (not a Falco alert); no time ->
-- reject.missing_timestamp; unparsable time -> reject.invalid_timestamp; outside the window ->
-- out_of_window.
--
-- Steps (sql/20_land/falco/): fields; here, the kind, the columns and the disposition of each alert.

with

classified as (
    select
        *,
        case
            when evt_type = 'connect' then 'connect'
            when evt_type in ('execve', 'execveat') then 'exec'
            when evt_type is not null then 'other'
            when server_or_remote_ip is not null
                and regexp_matches(rule, '(?i)(outbound|egress|inbound|connection|connect\b|contact )') then 'connect'
            when regexp_matches(rule, '(?i)(spawn|launch|terminal shell|run shell|shell in container|execut|execve|\bexec\b|\brun\b)') then 'exec'
            else 'other'
        end as kind,
        case
            when time is not null then pt_ts_ns(time)
            when regexp_full_match(evt_time_raw, '[0-9]{1,19}') then make_timestamp_ns(try_cast(evt_time_raw as BIGINT))
            else pt_ts_ns(evt_time_raw)
        end as event_ts,
        container_id_raw = 'host' as is_host
    from fields
),

normalized as (
    select
        -- ids
        pt_row_id(_efid, _ordinal) as row_id,
        split_part(row_id, '-', 1) as evidence_file_id,
        _line as line,
        _path as record_path,
        uuid as source_event_id,
        -- timestamps (UTC)
        event_ts as ts,
        coalesce(time, evt_time_raw) as ts_raw,
        -- dimensions
        'falco' as source,
        kind,
        rule as event_type,
        case
            when len($namespaces) = 0 then true
            else coalesce(list_contains($namespaces, pod_namespace), false)
        end as in_scope,
        hostname as node_name,
        null::VARCHAR as exec_id_node,
        pod_namespace,
        pod_name,
        pod_uid,
        case when not is_host then pt_strip_runtime_prefix(container_id_raw) end as container_id,
        case when not is_host then container_name_raw end as container_name,
        case
            when image_repository is not null and image_tag is not null then image_repository || ':' || image_tag
            else image_repository
        end as image_ref,
        coalesce(pt_image_digest(image_digest_raw), pt_falco_value(image_digest_raw)) as image_digest,
        try_cast(pid_raw as BIGINT) as pid,
        null::VARCHAR as exec_id,
        null::VARCHAR as parent_exec_id,
        binary_raw as "binary",
        pt_redact_args(cmdline) as arguments,
        try_cast(uid_raw as BIGINT) as uid,
        pt_ip_norm(nullif(src_ip_raw, '')) as src_ip,
        try_cast(src_port_raw as INTEGER) as src_port,
        pt_ip_norm(nullif(dst_ip_raw, '')) as dst_ip,
        try_cast(dst_port_raw as INTEGER) as dst_port,
        pt_protocol(l4proto) as protocol,
        evt_type as function_name,
        case
            when rule like 'Falco internal:%drop%' or drops_raw is not null then try_cast(drops_raw as BIGINT)
        end as sensor_dropped,
        null::VARCHAR as sensor_version_hint,
        -- disposition inputs
        rule as rule_raw,
        -- an integer field whose value does not fit its column (1e400, 2^64, 1.5, an object) would
        -- land as NULL: the alert is rejected instead (Falco's "<NA>" and "" mean absent)
        list_bool_or(list_transform(
            [[pid_raw, 'BIGINT'], [uid_raw, 'BIGINT'], [src_port_raw, 'INTEGER'], [dst_port_raw, 'INTEGER'], [drops_raw, 'BIGINT']],
            f -> f[1] is not null and f[1] not in ('<NA>', '')
                and not (case when f[2] = 'BIGINT' then pt_fits_bigint(f[1]) else pt_fits_integer(f[1]) end)
        )) as value_does_not_fit
    from classified
),

final as (
    select
        * exclude (rule_raw, value_does_not_fit),
        case
            when rule_raw is null then 'reject.unknown_shape'
            when ts_raw is null then 'reject.missing_timestamp'
            when ts is null then 'reject.invalid_timestamp'
            when value_does_not_fit then 'reject.invalid_value'
            when ts < $window_lo or ts > $window_hi then 'out_of_window'
            else 'landed'
        end as _disposition
    from normalized
)

select * from final
