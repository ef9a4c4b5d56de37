-- Runtime connects that leave the cluster, in sensor time: to a cloud endpoint (case.yaml
-- endpoints), to the instance metadata service, or to any other public address (a NAT carries
-- it out). service is the CloudTrail eventSource the endpoint serves, 'imds' for IMDS, NULL for a
-- public address no endpoint names. dest_kind: endpoint | imds | public.
create or replace view int_runtime__endpoint_connects as

with

connects as (
    select
        row_id,
        ts,
        source,
        node_name,
        pod_namespace,
        pod_name,
        pod_uid,
        container_id,
        src_ip,
        dst_ip,
        dst_port,
        pt_ipv4_int(dst_ip) as dst_int
    from runtime_events
    where kind = 'connect' and dst_ip is not null
),

endpoints as (
    select * from case_endpoints
),

to_endpoints as (
    select c.*, e.service, 'endpoint' as dest_kind
    from connects as c
    inner join endpoints as e
        on (e.lo is not null and c.dst_int between e.lo and e.hi)
        or (e.lo is null and c.dst_ip = e.cidr)
),

to_imds as (
    select c.*, 'imds' as service, 'imds' as dest_kind
    from connects as c
    where pt_is_imds(c.dst_ip)
),

to_public as (
    select c.*, null::VARCHAR as service, 'public' as dest_kind
    from connects as c
    where pt_is_public_ip(c.dst_ip)
        and not exists (
            select 1 from endpoints as e
            where (e.lo is not null and c.dst_int between e.lo and e.hi) or (e.lo is null and c.dst_ip = e.cidr)
        )
),

final as (
    select * exclude (dst_int) from to_endpoints
    union all
    select * exclude (dst_int) from to_imds
    union all
    select * exclude (dst_int) from to_public
)

select * from final
