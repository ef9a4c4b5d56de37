-- name: unattributed-calls
-- description: Cloud API calls podtrail could not pin to one pod (ambiguous or unattributed), with every remaining candidate pod and why the call stayed open.
-- params: none
--
-- One row per (call, candidate); a call without candidates has one row with candidate_* NULL.
-- kept_by lists the evidence that kept the candidate (runtime-connect, source:pod-ip, ...).

with

open_calls as (
    select *
    from attributions
    where confidence in ('ambiguous', 'unattributed')
),

candidates as (
    select
        o.event_id,
        c.ordinal as candidate_no,
        c.candidate.pod_uid as candidate_pod_uid,
        c.candidate.namespace as candidate_namespace,
        c.candidate.name as candidate_name,
        c.candidate.node_name as candidate_node_name,
        c.candidate.kept_by as kept_by
    from open_calls as o,
        lateral (
            select
                unnest(x) as candidate,
                generate_subscripts(x, 1) as ordinal
            from (select from_json(o.candidates, '[{"pod_uid":"VARCHAR","namespace":"VARCHAR","name":"VARCHAR","node_name":"VARCHAR","kept_by":["VARCHAR"]}]') as x)
        ) as c
),

final as (
    select
        o.ts,
        o.event_id,
        o.event_source,
        o.event_name,
        o.confidence,
        o.path,
        o.rule_id,
        o.reason,
        o.principal_arn,
        o.access_key_id,
        o.source_ip,
        o.candidate_count,
        c.candidate_no,
        c.candidate_pod_uid,
        c.candidate_namespace,
        c.candidate_name,
        c.candidate_node_name,
        c.kept_by
    from open_calls as o
    left join candidates as c on c.event_id = o.event_id
)

select * from final
order by ts, event_id, candidate_no nulls first
