-- name: calls-from-address
-- description: Cloud API calls whose source address is $source_ip (an attacker's address, a NAT, a pod IP), with the key, principal and attribution of each.
-- params: $source_ip varchar

with

calls as (
    select * from cloud_events where source_ip = $source_ip
),

attributions as (
    select event_id, confidence, path, rule_id, pod_uid, pod_namespace, pod_name, reason from attributions
),

final as (
    select
        -- ids
        c.event_id,
        -- dimensions
        c.event_source,
        c.event_name,
        c.error_code,
        c.principal_type,
        c.principal_arn,
        c.access_key_id,
        c.user_agent,
        c.aws_region,
        a.confidence,
        a.path,
        a.rule_id,
        a.pod_uid,
        a.pod_namespace,
        a.pod_name,
        a.reason,
        -- timestamps (UTC)
        c.ts
    from calls as c
    left join attributions as a on a.event_id = c.event_id
)

select
    ts,
    event_id,
    event_source,
    event_name,
    error_code,
    principal_type,
    principal_arn,
    access_key_id,
    user_agent,
    aws_region,
    confidence,
    path,
    rule_id,
    pod_uid,
    pod_namespace,
    pod_name,
    reason
from final
order by ts, event_id
