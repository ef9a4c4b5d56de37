-- int_attr__inherited: the decisions after aws-service-inherit: a call AWS made on the session's
-- behalf takes the decision of the call that triggered it (same key, made to that service, within
-- 5 s: the one whose secret id appears in the encryption context first, then the nearest).
create or replace view int_attr__inherited as

with

events as (
    select * from int_attr__events
),

carried as (
    select * from int_attr__carried
),

key_consensus as (
    select * from int_attr__key_consensus
),

triggers as (
    select
        e.event_id,
        t.event_id as trigger_event_id,
        row_number() over (
            partition by e.event_id
            order by
                (e.request_parameters ->> '$.encryptionContext.SecretARN') like '%' || (t.request_parameters ->> '$.secretId') || '%' desc,
                abs(epoch(t.ts) - epoch(e.ts)),
                t.event_id
        ) as rn
    from events as e
    inner join events as t
        on e.inherits
        and not t.aws_invoked
        and t.access_key_id = e.access_key_id
        and t.event_source = coalesce(e.invoked_by, e.source_ip)
        and t.ts between e.ts - interval 5 seconds and e.ts + interval 5 seconds
),

final as (
    select
        c.event_id,
        case
            when c.confidence <> 'pending' then c.confidence
            when tr.trigger_event_id is not null then tc.confidence
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then 'strong'
            else 'unattributed'
        end as confidence,
        case
            when c.confidence <> 'pending' then c.rule_id
            when tr.trigger_event_id is not null then 'aws-service-inherit'
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then 'key-carry'
            else 'aws-service-inherit'
        end as rule_id,
        case
            when c.confidence <> 'pending' then c.pod_uid
            when tr.trigger_event_id is not null then tc.pod_uid
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then k.pod_uid
        end as pod_uid,
        case
            when c.confidence <> 'pending' then c.reason
            when tr.trigger_event_id is not null then
                case when tc.confidence in ('proven', 'strong') then null
                else 'made by ' || coalesce(e.invoked_by, e.source_ip) || ' on behalf of call ' || tr.trigger_event_id || ': ' || coalesce(tc.reason, tc.confidence) end
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then null
            else 'made by ' || coalesce(e.invoked_by, e.source_ip) || ' on behalf of the session; the call that triggered it is not in the evidence'
        end as reason,
        case
            when c.confidence <> 'pending' then c.basis
            when tr.trigger_event_id is not null and tc.confidence in ('proven', 'strong') then 'inherit'
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then 'carry'
        end as basis,
        case
            when c.confidence = 'pending' and tr.trigger_event_id is not null then [tr.trigger_event_id]
            when c.confidence = 'pending' and k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then k.event_ids
            else c.carried_from
        end as carried_from,
        tr.trigger_event_id
    from carried as c
    inner join events as e on e.event_id = c.event_id
    left join triggers as tr on tr.event_id = c.event_id and tr.rn = 1
    left join carried as tc on tc.event_id = tr.trigger_event_id
    left join key_consensus as k on k.access_key_id = e.access_key_id
)

select * from final
