-- Container id -> pod UID, from inventory container statuses and from runtime events that carry
-- both (Tetragon v1.6+, Falco with k8s metadata). Short (12-character) Falco ids match by prefix.
create or replace view int_pod__container_ids as

with

inventory as (
    select distinct
        unnest(container_ids) as container_id,
        uid as pod_uid,
        'inventory' as via
    from k8s_pods
    where uid is not null
),

runtime as (
    select distinct
        container_id,
        pod_uid,
        'runtime' as via
    from runtime_events
    where pod_uid is not null and container_id is not null and length(container_id) > 12
),

unioned as (
    select * from inventory
    union all
    select * from runtime
),

final as (
    select
        container_id,
        left(container_id, 12) as short_id,
        pod_uid,
        min(via) as via
    from unioned
    where container_id is not null
    group by container_id, pod_uid
)

select * from final
