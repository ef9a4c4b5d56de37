-- int_attr__carried: the decisions after session-carry and key-carry (strong, for an IRSA or Pod
-- Identity call without decisive evidence of its own, when its key's issuing call, or every
-- proven/strong call made with its key, names a pod whose egress explains this call's source).
create or replace view int_attr__carried as

with

events as (
    select * from int_attr__events
),

direct as (
    select * from int_attr__key_consistent
),

candidates as (
    -- a carried pod must still explain the call's source, not merely be impossible to rule out
    select * from int_attr__scored where explained and ip_relation <> 'unknown-source'
),

issuers as (
    -- the decision on the call that issued each key
    select e.access_key_id, d.pod_uid, d.confidence, d.event_id as issuing_event_id
    from events as e
    inner join direct as d on d.event_id = e.issuing_event_id
    where d.confidence in ('proven', 'strong') and d.pod_uid is not null
    qualify row_number() over (partition by e.access_key_id order by d.event_id) = 1
),

key_consensus as (
    select * from int_attr__key_consensus
),

final as (
    select
        d.event_id,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.confidence
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then 'strong'
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then 'strong'
            else d.confidence
        end as confidence,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.rule_id
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then 'session-carry'
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then 'key-carry'
            else d.rule_id
        end as rule_id,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.pod_uid
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then i.pod_uid
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then k.pod_uid
            else d.pod_uid
        end as pod_uid,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.reason
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then null
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then null
            else d.reason
        end as reason,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.basis
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then 'carry'
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then 'carry'
        end as basis,
        case
            when e.path in ('irsa', 'pod-identity') and d.confidence not in ('proven', 'strong', 'pending') and i.pod_uid is not null and ci.pod_uid is not null
                then [i.issuing_event_id]
            when e.path in ('irsa', 'pod-identity') and d.confidence not in ('proven', 'strong', 'pending') and k.pod_uid is not null and ck.pod_uid is not null
                then k.event_ids
            else []::VARCHAR[]
        end as carried_from
    from direct as d
    inner join events as e on e.event_id = d.event_id
    left join issuers as i on i.access_key_id = e.access_key_id and e.event_id <> i.issuing_event_id
    left join candidates as ci on ci.event_id = d.event_id and ci.pod_uid = i.pod_uid
    left join key_consensus as k on k.access_key_id = e.access_key_id
    left join candidates as ck on ck.event_id = d.event_id and ck.pod_uid = k.pod_uid
)

select * from final
