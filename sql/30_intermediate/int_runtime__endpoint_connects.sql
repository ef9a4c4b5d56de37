-- Runtime connects that leave the cluster, in sensor time: to a cloud endpoint (case.yaml
-- endpoints), to the instance metadata service, or to any other public address (a NAT carries
-- it out). service is the CloudTrail eventSource the endpoint serves, 'imds' for IMDS, NULL for a
-- public address no endpoint names. dest_kind: endpoint | imds | public.
-- endpoint_fact_id: the endpoint fact (int_net__endpoint_facts) the destination matched (endpoint).
-- aws_service (public connects): the address lies in AWS's published ranges (int_net__aws_ranges):
-- the eventSource its prefix's code names (s3, dynamodb), else 'aws' (an AWS service, which one
-- unknown: AMAZON and EC2 cover them all); NULL outside AWS's ranges or with no ranges file.
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
        pt_ip_int(dst_ip) as dst_int
    from runtime_events
    where kind = 'connect' and dst_ip is not null
),

endpoints as (
    select * from int_net__endpoint_facts
),

aws_ranges as (
    select * from int_net__aws_ranges
),

to_endpoints as (
    select c.*, e.service, 'endpoint' as dest_kind, null::VARCHAR as aws_service, e.fact_id as endpoint_fact_id
    from connects as c
    inner join endpoints as e
        on (e.lo is not null and c.dst_int between e.lo and e.hi)
        or (e.lo is null and c.dst_ip = e.cidr)
),

to_imds as (
    select c.*, 'imds' as service, 'imds' as dest_kind, null::VARCHAR as aws_service, null::VARCHAR as endpoint_fact_id
    from connects as c
    where pt_is_imds(c.dst_ip)
),

public_connects as (
    select c.*
    from connects as c
    where pt_is_public_ip(c.dst_ip)
        and c.dst_ip not in (select ip from int_net__cluster_addresses)
        and not exists (
            select 1 from endpoints as e
            where (e.lo is not null and c.dst_int between e.lo and e.hi) or (e.lo is null and c.dst_ip = e.cidr)
        )
),

range_hits as (
    -- prefixes are aligned blocks: one equality join per prefix length present
    select p.row_id, coalesce(min(a.names_service), 'aws') as aws_service
    from public_connects as p
    cross join (select distinct prefix_len from aws_ranges) as l
    inner join aws_ranges as a
        on a.prefix_len = l.prefix_len
        and a.net = p.dst_int >> (128 - l.prefix_len)::UHUGEINT
    group by p.row_id
),

to_public as (
    select p.*, null::VARCHAR as service, 'public' as dest_kind, h.aws_service, null::VARCHAR as endpoint_fact_id
    from public_connects as p
    left join range_hits as h on h.row_id = p.row_id
),

final as (
    select * exclude (dst_int) from to_endpoints
    union all
    select * exclude (dst_int) from to_imds
    union all
    select * exclude (dst_int) from to_public
)

select * from final
