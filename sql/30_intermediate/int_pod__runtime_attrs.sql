-- int_pod__runtime_attrs: per pod UID a runtime sensor named, the namespace and name of its first
-- event and every container id its events show.
create or replace view int_pod__runtime_attrs as

with

final as (
    -- pods the runtime names with a UID: namespace and name from their events
    select
        pod_uid,
        any_value(pod_namespace order by ts) as namespace,
        any_value(pod_name order by ts) as name,
        list_sort(list_distinct(list(container_id) filter (where container_id is not null))) as container_ids
    from runtime_events
    where pod_uid is not null
    group by pod_uid
)

select * from final
