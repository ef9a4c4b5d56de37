-- int_attr__key_consistent: the direct decisions (int_attr__direct) after key consistency: an IRSA
-- or Pod Identity session key is held by one pod, so when the decisions on the calls made with one
-- key name different pods, a decision taken on runtime evidence (runtime, relay, keepalive,
-- aws-range, single-pod) stands only when it names the key's anchor (the pod named by more than
-- half of them, which no decision on the key's issuing call or on an address or tag
-- contradicts); the others become ambiguous. One row per call.
create or replace view int_attr__key_consistent as

with

events as (
    select * from int_attr__events
),

direct_decisions as (
    select * from int_attr__direct
),

key_votes as (
    select
        e.access_key_id,
        d.pod_uid,
        count(*) as n,
        bool_or(d.basis in ('key-chain', 'source-address')) as hard,
        bool_or(d.event_id = e.issuing_event_id) as issuer
    from events as e
    inner join direct_decisions as d on d.event_id = e.event_id
    where e.path in ('irsa', 'pod-identity') and d.confidence in ('proven', 'strong') and d.pod_uid is not null and e.access_key_id is not null
    group by e.access_key_id, d.pod_uid
),

issuer_votes as (
    -- the decision on the call that issued the key (its own access key is the caller's, not this one)
    select e.access_key_id, any_value(d.pod_uid) as pod_uid
    from events as e
    inner join direct_decisions as d on d.event_id = e.issuing_event_id
    where e.path in ('irsa', 'pod-identity') and d.confidence in ('proven', 'strong') and d.pod_uid is not null
    group by e.access_key_id
),

key_totals as (
    select
        v.access_key_id,
        count(*) as pods,
        sum(v.n) as total,
        max(v.n) as top_n,
        arg_max(v.pod_uid, (v.n, v.pod_uid)) as top_pod
    from key_votes as v
    group by v.access_key_id
),

key_anchor as (
    select
        t.access_key_id,
        t.pods > 1 or (i.pod_uid is not null and i.pod_uid <> t.top_pod) as conflicted,
        case
            when t.top_n * 2 > t.total
                and not exists (select 1 from key_votes as v where v.access_key_id = t.access_key_id and v.hard and v.pod_uid <> t.top_pod)
                and (i.pod_uid is null or i.pod_uid = t.top_pod)
                then t.top_pod
        end as anchor_pod
    from key_totals as t
    left join issuer_votes as i on i.access_key_id = t.access_key_id
),

final as (
    select
        d.* replace (
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then 'ambiguous' else d.confidence end as confidence,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then 'ambiguous-candidates' else d.rule_id end as rule_id,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then null else d.pod_uid end as pod_uid,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then null else d.basis end as basis,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then 'the runtime evidence names pod ' || d.pod_uid || ', but the other calls made with key ' || e.access_key_id
                    || case when k.anchor_pod is not null then ' name pod ' || k.anchor_pod else ' name several pods' end
                    || ': a session key is held by one pod'
                else d.reason end as reason
        )
    from direct_decisions as d
    inner join events as e on e.event_id = d.event_id
    left join key_anchor as k on k.access_key_id = e.access_key_id and e.path in ('irsa', 'pod-identity')
)

select * from final
