-- name: human-pod-actions
-- description: What people (not service accounts or nodes) did to pods between $from and $to, default the case window: exec, attach, port-forward, create, delete; with the runtime execs that followed in the pod.
-- params: $from timestamp = null, $to timestamp = null

with

settings as (
    select
        coalesce($from::TIMESTAMP, window_from) as from_at,
        coalesce($to::TIMESTAMP, window_to) as to_at
    from case_settings
),

actions as (
    select h.*
    from pod_human_actions as h, settings as s
    where h.ts >= s.from_at and h.ts <= s.to_at
    qualify row_number() over (partition by h.audit_id order by h.row_id) = 1
),

final as (
    select
        ts,
        user_name,
        user_groups,
        source_ip,
        action,
        namespace,
        pod_name,
        pod_uid,
        container,
        command,
        response_code,
        len(list_distinct(runtime_exec_row_ids)) as runtime_execs_after,
        first_runtime_exec_at,
        audit_id,
        row_id
    from actions
)

select * from final
order by ts, audit_id
