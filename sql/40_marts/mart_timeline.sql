-- mart_timeline: every event of every source in the lake (which ingest bounded to the case window
-- plus its margin), normalized to one line of JSON per event, for the bundle's timeline.jsonl.
--   runtime     runtime_events (Tetragon, Falco): every event
--   kube-audit  kube_audit_events: the final stage of each request
--   cloudtrail  cloud_events: every event (one per eventID)
-- ts is the event's time on the reference clock: a runtime event's node time minus its node's
-- clock offset (node_clock_offsets: measured or declared; 0 when unknown), so the three sources
-- interleave truthfully; ts_source keeps the time as the source wrote it (UTC) and
-- clock_offset_ns the offset applied. Times are ISO-8601 UTC with nine fractional digits, so their
-- text order is their time order (formatted by hand: strftime's %n is not exact for TIMESTAMP_NS).
-- Each line's keys are sorted and each source has a fixed key set. The columns of each source's
-- lines come from int_timeline__runtime_lines, int_timeline__audit_lines, int_timeline__cloud_lines.
-- A cloudtrail line's log_validation is its log file's digest verdict (cloudtrail_validation):
-- valid, INVALID, UNVERIFIABLE or UNREFERENCED; not-validated when the event did not come from a
-- trail log file (lookup-events output, EventBridge, single events): only valid is proven unaltered.
-- A runtime event from a sensor that gives no pod UID (Tetragon before v1.6, Falco without k8s
-- metadata) carries the UID correlation resolves, as int_runtime__connects_resolved does: by its
-- container id when one pod has it, else by namespace and name at that time when one pod matches;
-- pod_uid_from says which (sensor | container-id | namespace-name-time; null when unresolved).
-- The bundle orders by ts, then source, then row_id (row ids are unique across the lake).
create or replace view mart_timeline as

with

runtime_lines as (
    select * from int_timeline__runtime_lines
),

audit_lines as (
    select * from int_timeline__audit_lines
),

cloud_lines as (
    select * from int_timeline__cloud_lines
),

final as (
    select
        ts,
        source,
        row_id,
        to_json({
            'arguments': arguments,
            'binary': "binary",
            'clock_offset_ns': offset_ns,
            'container_id': container_id,
            'dst_ip': dst_ip,
            'dst_port': dst_port,
            'event_type': event_type,
            'exec_id': exec_id,
            'in_scope': in_scope,
            'kind': kind,
            'namespace': pod_namespace,
            'node': node_name,
            'parent_exec_id': parent_exec_id,
            'pid': pid,
            'pod': pod_name,
            'pod_uid': pod_uid,
            'pod_uid_from': pod_uid_from,
            'protocol': protocol,
            'row_id': row_id,
            'sensor_dropped': sensor_dropped,
            'source': source,
            'src_ip': src_ip,
            'src_port': src_port,
            'ts': strftime(ts, '%Y-%m-%dT%H:%M:%S') || '.' || lpad((((epoch_ns(ts) % 1000000000) + 1000000000) % 1000000000)::VARCHAR, 9, '0') || 'Z',
            'ts_source': strftime(ts_src, '%Y-%m-%dT%H:%M:%S') || '.' || lpad((((epoch_ns(ts_src) % 1000000000) + 1000000000) % 1000000000)::VARCHAR, 9, '0') || 'Z',
            'uid': uid
        })::VARCHAR as line
    from runtime_lines

    union all

    select
        ts,
        source,
        row_id,
        to_json({
            'audit_id': audit_id,
            'decision': decision,
            'exec_command': exec_command,
            'exec_container': exec_container,
            'impersonated_user': impersonated_user,
            'kind': 'k8s-api',
            'name': name,
            'namespace': namespace,
            'resource': resource,
            'response_code': response_code,
            'row_id': row_id,
            'source': source,
            'source_ips': source_ips,
            'stage': stage,
            'subresource': subresource,
            'token_pod_uid': user_extra_pod_uid,
            'ts': strftime(ts, '%Y-%m-%dT%H:%M:%S') || '.' || lpad((((epoch_ns(ts) % 1000000000) + 1000000000) % 1000000000)::VARCHAR, 9, '0') || 'Z',
            'user': user_name,
            'user_agent': user_agent,
            'verb': verb
        })::VARCHAR as line
    from audit_lines

    union all

    select
        ts,
        source,
        row_id,
        to_json({
            'access_key_id': access_key_id,
            'aws_region': aws_region,
            'delivery': delivery,
            'error_code': error_code,
            'event_id': event_id,
            'event_name': event_name,
            'event_source': event_source,
            'kind': 'cloud-api',
            'log_validation': log_validation,
            'principal_arn': principal_arn,
            'read_only': read_only,
            'row_id': row_id,
            'session_name': session_name,
            'source': source,
            'source_ip': source_ip,
            'ts': strftime(ts, '%Y-%m-%dT%H:%M:%S') || '.' || lpad((((epoch_ns(ts) % 1000000000) + 1000000000) % 1000000000)::VARCHAR, 9, '0') || 'Z',
            'user_agent': user_agent,
            'vpc_endpoint_id': vpc_endpoint_id
        })::VARCHAR as line
    from cloud_lines
)

select ts, source, row_id, line from final
