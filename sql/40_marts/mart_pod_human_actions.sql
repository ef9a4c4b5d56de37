-- pod_human_actions: what people (not service accounts, nodes or control-plane components) did to
-- pods: exec, attach, port-forward, ephemeral containers, create, delete; and the runtime execs
-- that followed in that pod within 10 minutes (reference clock), so a report can say who entered
-- the pod before the cloud calls.
create or replace view mart_pod_human_actions as

with

actions as (
    select *
    from kube_audit_events
    where is_final_stage
        and resource = 'pods'
        and (subresource in ('exec', 'attach', 'portforward', 'ephemeralcontainers')
            or (subresource is null and verb in ('create', 'delete')))
        and user_name not like 'system:%'
    -- is_final_stage holds per file: a request whose stages were split by a log rotation has a
    -- final stage in each file; keep one row per request (highest stage, then latest)
    qualify row_number() over (partition by audit_id order by pt_ka_stage_rank(stage) desc, stage_at desc, row_id desc) = 1
),

lifecycle as (
    select * from pod_lifecycle
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

pod_at as (
    select
        a.audit_id,
        l.pod_uid,
        l.container_ids,
        row_number() over (partition by a.audit_id order by l.interval_no desc) as rn
    from actions as a
    inner join lifecycle as l
        on l.namespace = a.namespace and l.name = a.name
        and l.valid_from <= a.request_received_at + interval 5 seconds
        and (l.valid_to is null or l.valid_to >= a.request_received_at - interval 5 seconds)
),

execs as (
    select
        r.row_id,
        r.pod_uid,
        r.pod_namespace,
        r.pod_name,
        r.container_id,
        pt_add_seconds(r.ts, -coalesce(o.offset_seconds, 0))::TIMESTAMP as ref_ts
    from runtime_events as r
    left join offsets as o on o.node_name = r.node_name
    where r.kind = 'exec'
),

followed as (
    select
        a.audit_id,
        list_sort(list(x.row_id)) as row_ids,
        min(x.ref_ts) as first_at
    from actions as a
    inner join pod_at as p on p.audit_id = a.audit_id and p.rn = 1
    inner join execs as x
        on (x.pod_uid = p.pod_uid or list_contains(p.container_ids, x.container_id)
            or (x.pod_uid is null and x.container_id is null and x.pod_namespace = a.namespace and x.pod_name = a.name))
        and x.ref_ts between a.request_received_at - interval 2 seconds and a.request_received_at + interval 10 minutes
    where a.subresource in ('exec', 'attach', 'ephemeralcontainers')
    group by a.audit_id
),

final as (
    select
        a.audit_id,
        a.row_id,
        a.request_received_at as ts,
        a.user_name,
        a.user_groups,
        a.source_ips[1] as source_ip,
        coalesce(a.subresource, a.verb) as action,
        a.namespace,
        a.name as pod_name,
        p.pod_uid,
        a.exec_container as container,
        a.exec_command as command,
        a.response_code,
        coalesce(f.row_ids, []::VARCHAR[]) as runtime_exec_row_ids,
        f.first_at as first_runtime_exec_at
    from actions as a
    left join pod_at as p on p.audit_id = a.audit_id and p.rn = 1
    left join followed as f on f.audit_id = a.audit_id
)

select * from final
order by audit_id
