-- Endpoint facts: addresses where a connect is a call to a cloud service.
--   declared   case.yaml endpoints (case_endpoints)
--   collected  the private addresses of the account's interface VPC endpoints (their network
--              interfaces' addresses), and the prefix lists of its gateway endpoints (S3,
--              DynamoDB), from the AWS inventory
-- A collected address that a declared endpoint covers is left out: the analyst's word stands.
-- Columns of case_endpoints, plus source, evidence (the inventory rows used) and fact_id
-- (<source>:<VPC endpoint id, else service>:<address or CIDR>; attributions cite it).
create or replace view int_net__endpoint_facts as

with

declared as (
    select service, cidr, lo, hi, vpc_endpoint_id, 'declared' as source, to_json({'case_yaml': 'endpoints'}) as evidence
    from case_endpoints
),

endpoints as (
    select *
    from aws_vpc_endpoints
    where event_source is not null
    qualify snapshot_at = max(snapshot_at) over (partition by vpc_endpoint_id)
),

enis as (
    select *
    from aws_network_interfaces
    qualify snapshot_at = max(snapshot_at) over (partition by eni_id)
),

interface_addresses as (
    select e.event_source as service, unnest(list_prepend(n.primary_ip, n.secondary_ips)) as cidr, e.vpc_endpoint_id, e.row_id as endpoint_row, n.row_id as eni_row, e.snapshot_at
    from endpoints as e
    inner join enis as n on list_contains(e.eni_ids, n.eni_id)
    where e.endpoint_type = 'Interface'
),

gateway_cidrs as (
    select e.event_source as service, unnest(p.cidrs) as cidr, e.vpc_endpoint_id, e.row_id as endpoint_row, p.row_id as eni_row, e.snapshot_at
    from endpoints as e
    inner join (select * from aws_prefix_lists qualify snapshot_at = max(snapshot_at) over (partition by prefix_list_id)) as p
        on p.event_source = e.event_source
    where e.endpoint_type = 'Gateway'
),

collected as (
    select
        service,
        cidr,
        pt_cidr_lo(cidr) as lo,
        pt_cidr_hi(cidr) as hi,
        vpc_endpoint_id,
        'collected' as source,
        to_json({'rows': [endpoint_row, eni_row], 'seen_at': snapshot_at}) as evidence
    from (select * from interface_addresses union all select * from gateway_cidrs)
    where cidr is not null
),

merged as (
    select * from declared
    union all
    select c.* from collected as c
    where not exists (
        select 1 from declared as d
        where (d.lo is not null and c.lo is not null and d.lo <= c.hi and d.hi >= c.lo) or d.cidr = c.cidr
    )
),

final as (
    select *, source || ':' || coalesce(vpc_endpoint_id, service) || ':' || cidr as fact_id
    from merged
)

select * from final
