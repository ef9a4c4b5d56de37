-- Every runtime event's pod identity keys, before resolution: pod UID where the sensor gives it,
-- else (namespace, name, container id). One row per runtime event that belongs to a pod.
create or replace view int_runtime__pod_keys as

with

events as (
    select
        row_id,
        ts,
        source,
        kind,
        node_name,
        pod_namespace,
        pod_name,
        pod_uid,
        container_id,
        image_digest,
        src_ip,
        dst_ip,
        dst_port
    from runtime_events
    where pod_name is not null or container_id is not null or pod_uid is not null
),

final as (
    select * from events
)

select * from final
