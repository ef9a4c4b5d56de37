-- name: pods-reaching-imds
-- description: Pods (and host processes) whose processes connected to the instance metadata service (169.254.169.254), where node-role credentials come from.
-- params: none
--
-- One row per pod (or host process) and node. The pod UID is the sensor's, else found from the
-- container id or (namespace, name, time) in pod_lifecycle. Times are sensor (node) clock.

with

connects as (
    select row_id, ts, source, node_name, pod_namespace, pod_name, pod_uid, container_id, "binary"
    from runtime_events
    where kind = 'connect' and dst_ip in ('169.254.169.254', 'fd00:ec2::254')
),

container_pods as (
    select distinct unnest(container_ids) as container_id, pod_uid
    from pod_lifecycle
),

lifecycle as (
    select pod_uid, namespace, name, valid_from, valid_to from pod_lifecycle
),

resolved as (
    select
        c.*,
        coalesce(
            c.pod_uid,
            (select min(m.pod_uid) from container_pods as m
              where m.container_id = c.container_id or left(m.container_id, 12) = c.container_id),
            (select min(l.pod_uid) from lifecycle as l
              where l.namespace = c.pod_namespace and l.name = c.pod_name
                and c.ts::TIMESTAMP >= l.valid_from - interval 1 minute
                and (l.valid_to is null or c.ts::TIMESTAMP <= l.valid_to + interval 1 minute))
        ) as resolved_pod_uid
    from connects as c
),

final as (
    select
        node_name,
        pod_namespace as namespace,
        pod_name,
        resolved_pod_uid as pod_uid,
        pod_name is null and container_id is null as host_process,
        count(*) as connects,
        list(distinct source order by source) as sources,
        list(distinct "binary" order by "binary") filter (where "binary" is not null) as binaries,
        -- timestamps (node clock)
        min(ts) as first_at,
        max(ts) as last_at
    from resolved
    group by resolved_pod_uid, node_name, pod_namespace, pod_name, pod_name is null and container_id is null
)

select * from final
order by node_name, namespace nulls first, pod_name nulls first, pod_uid nulls first, first_at
