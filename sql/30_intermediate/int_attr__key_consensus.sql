-- int_attr__key_consensus: the access keys whose proven/strong calls (after key consistency) all
-- name one pod, with up to 20 of those calls.
create or replace view int_attr__key_consensus as

with

events as (
    select * from int_attr__events
),

direct as (
    select * from int_attr__key_consistent
),

final as (
    select e.access_key_id, min(d.pod_uid) as pod_uid, list_sort(list(d.event_id))[1:20] as event_ids
    from events as e
    inner join direct as d on d.event_id = e.event_id
    where d.confidence in ('proven', 'strong') and d.pod_uid is not null and e.access_key_id is not null
    group by e.access_key_id
    having count(distinct d.pod_uid) = 1
)

select * from final
