-- Who reached the instance metadata service's credentials, where and when (reference clock): a
-- connect to IMDS (169.254.169.254, fd00:ec2::254), or a process whose command line names the
-- credentials path (/latest/meta-data/iam/security-credentials). One row per pod (or host:<node>
-- for a host process) and runtime row. A node-role call's candidates are the pods of its node
-- that did so within the key's validity, the host and its host-network agents.
create or replace view int_cloud__imds_readers as

with

connects as (
    select row_id, node_name, pod_uid, ref_ts::TIMESTAMP as ref_ts, 'connect' as via
    from int_runtime__connects_resolved
    where service = 'imds' and pod_uid is not null
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

containers as (
    select * from int_pod__container_ids
),

commands as (
    select
        r.row_id,
        r.node_name,
        coalesce(
            r.pod_uid,
            (select min(m.pod_uid) from containers as m where m.container_id = r.container_id or (length(r.container_id) = 12 and m.short_id = r.container_id)),
            case when r.pod_name is null and r.container_id is null then 'host:' || r.node_name end
        ) as pod_uid,
        pt_add_seconds(r.ts, -coalesce(o.offset_seconds, 0))::TIMESTAMP as ref_ts,
        'command-line' as via
    from runtime_events as r
    left join offsets as o on o.node_name = r.node_name
    where r.kind = 'exec' and r.arguments like '%meta-data/iam/security-credentials%'
),

final as (
    select * from connects
    union all
    select * from commands where pod_uid is not null
)

select * from final
