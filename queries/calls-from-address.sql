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
        c.ts,
        c.event_id,
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
        a.reason
    from calls as c
    left join attributions as a on a.event_id = c.event_id
)

select * from final
order by ts, event_id
