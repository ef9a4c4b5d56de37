-- name: pod-egress-to-aws
-- description: Network connections from one pod to AWS: declared service endpoints (case.yaml endpoints), the instance metadata service and the EKS Pod Identity agent.
-- params: $pod_uid varchar
--
-- One row per runtime connect. The pod's connects are those with its UID, or without a UID but
-- with one of its container ids, or its namespace and name while it ran (pod_lifecycle).
-- ts is the sensor (node) clock; node_clock_offsets says how far off that clock is.

with

pod as (
    select * from pod_lifecycle where pod_uid = $pod_uid
),

pod_containers as (
    select distinct unnest(container_ids) as container_id from pod
),

connects as (
    select
        r.*,
        -- an IPv4 address in case_endpoints' 128-bit space (IPv4 at ::ffff:0:0/96); an IPv6
        -- destination matches a declared address exactly (e.cidr), not inside a declared range
        case
            when regexp_full_match(r.dst_ip, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}') then
                281470681743360::UHUGEINT
                + split_part(r.dst_ip, '.', 1)::UHUGEINT * 16777216
                + split_part(r.dst_ip, '.', 2)::UHUGEINT * 65536
                + split_part(r.dst_ip, '.', 3)::UHUGEINT * 256
                + split_part(r.dst_ip, '.', 4)::UHUGEINT
        end as dst_int
    from runtime_events as r
    where r.kind = 'connect'
        and r.dst_ip is not null
        and (
            r.pod_uid = $pod_uid
            or (
                r.pod_uid is null
                and (
                    r.container_id in (select container_id from pod_containers)
                    or r.container_id in (select left(container_id, 12) from pod_containers)
                    or exists (
                        select 1 from pod as p
                        where p.namespace = r.pod_namespace and p.name = r.pod_name
                            and r.ts::TIMESTAMP >= p.valid_from - interval 1 minute
                            and (p.valid_to is null or r.ts::TIMESTAMP <= p.valid_to + interval 1 minute)
                    )
                )
            )
        )
),

endpoints as (
    select service, cidr, lo, hi, vpc_endpoint_id from case_endpoints
),

endpoint_matches as (
    select
        c.row_id,
        min(e.service) as endpoint_service,
        min(e.vpc_endpoint_id) filter (where e.vpc_endpoint_id <> '') as vpc_endpoint_id
    from connects as c
    left join endpoints as e
        on (e.lo is not null and c.dst_int between e.lo and e.hi) or (e.lo is null and c.dst_ip = e.cidr)
    group by c.row_id
),

classified as (
    select
        c.*,
        coalesce(
            case
                when c.dst_ip in ('169.254.169.254', 'fd00:ec2::254') then 'imds'
                when c.dst_ip in ('169.254.170.23', 'fd00:ec2::23') then 'eks-pod-identity-agent'
            end,
            m.endpoint_service
        ) as service,
        m.vpc_endpoint_id
    from connects as c
    inner join endpoint_matches as m on m.row_id = c.row_id
),

final as (
    select
        ts,
        node_name,
        pod_namespace,
        pod_name,
        "binary",
        pid,
        src_ip,
        dst_ip,
        dst_port,
        service,
        vpc_endpoint_id,
        source,
        row_id
    from classified
    where service is not null
)

select * from final
order by ts, row_id
