-- name: exec-then-cloud-calls
-- description: A person ran kubectl exec (or attach) into a pod, then that pod made cloud API calls within $minutes: who, into which pod, which calls.
-- params: $minutes bigint = 60
--
-- One row per (human action, cloud call). Calls are those attributed to the pod (proven or
-- strong). seconds_after is the call time minus the exec time.

with

actions as (
    select *
    from pod_human_actions
    where action in ('exec', 'attach') and pod_uid is not null
    qualify row_number() over (partition by audit_id order by row_id) = 1
),

calls as (
    select event_id, ts, event_source, event_name, pod_uid, confidence, path, access_key_id, source_ip
    from attributions
    where pod_uid is not null
),

final as (
    select
        a.user_name,
        a.source_ip as user_source_ip,
        a.action,
        a.ts as action_at,
        a.audit_id,
        a.namespace,
        a.pod_name,
        a.pod_uid,
        a.container,
        a.command,
        c.ts as call_at,
        round((epoch_us(c.ts) - epoch_us(a.ts)) / 1e6, 3) as seconds_after,
        c.event_id,
        c.event_source,
        c.event_name,
        c.confidence,
        c.path,
        c.access_key_id,
        c.source_ip as call_source_ip
    from actions as a
    inner join calls as c
        on c.pod_uid = a.pod_uid
        and c.ts >= a.ts - interval 5 seconds
        and c.ts <= a.ts + to_minutes($minutes::BIGINT)
)

select * from final
order by action_at, audit_id, call_at, event_id
