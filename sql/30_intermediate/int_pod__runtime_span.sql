-- First and last runtime sighting of each pod UID (directly or through its container ids),
-- with the images seen, in sensor time (clock offsets are applied later, per node).
create or replace view int_pod__runtime_span as

with

keys as (
    select * from int_runtime__pod_keys
),

containers as (
    select * from int_pod__container_ids
),

by_uid as (
    select row_id, ts, node_name, pod_uid, image_digest, src_ip, kind
    from keys
    where pod_uid is not null
),

by_container as (
    select k.row_id, k.ts, k.node_name, c.pod_uid, k.image_digest, k.src_ip, k.kind
    from keys as k
    inner join containers as c
        on k.container_id = c.container_id
        or (length(k.container_id) = 12 and k.container_id = c.short_id)
    where k.pod_uid is null
),

sightings as (
    select * from by_uid
    union all
    select * from by_container
),

final as (
    select
        pod_uid,
        min(ts) as first_seen_at,
        max(ts) as last_seen_at,
        arg_min(row_id, ts) as first_row_id,
        arg_max(row_id, ts) as last_row_id,
        any_value(node_name order by ts) as node_name,
        list_sort(list_distinct(list(image_digest) filter (where image_digest is not null))) as image_digests,
        list_sort(list_distinct(list(src_ip) filter (where kind = 'connect' and src_ip is not null))) as src_ips,
        count(*) as events
    from sightings
    group by pod_uid
)

select * from final
