-- Collected egress facts: the public addresses the cluster's nodes leave from, as the account's
-- inventory shows them (podtrail collect aws --cluster, or the same AWS CLI output ingested).
--   nat-gateway: a node's subnet has a default route (0.0.0.0/0) to a public NAT gateway (its route
--                table: the subnet's own, else the VPC's main table); the NAT's public addresses
--                are that node's egress
--   instance:    a node with its own public address (a public subnet, an Elastic IP) leaves from it
-- One row per public address and node behind it, with the evidence: the inventory rows used and
-- when they were seen. The egress facts view ranks them below the declared facts.
create or replace view int_net__collected_egress as

with

inv as (
    select * from int_net__aws_latest
),

instances as (
    select *, id as instance_id from inv where kind = 'instance' and node_name is not null
),

routes as (
    select * from inv where kind = 'route'
),

nats as (
    select * from inv where kind = 'nat' and target_id = 'public'
),

-- the table that routes each node's subnet: explicitly associated, else the VPC's main table
subnet_tables as (
    select i.node_name, i.instance_id, i.subnet_id, i.row_id as instance_row, i.snapshot_at as instance_seen,
        coalesce(
            (select min(r.id) from routes as r where list_contains(r.subnet_ids, i.subnet_id)),
            (select min(r.id) from routes as r where r.main and r.vpc_id = i.vpc_id)
        ) as route_table_id
    from instances as i
),

defaults as (
    select t.*, r.target_id as nat_gateway_id, r.row_id as route_row, r.snapshot_at as route_seen
    from subnet_tables as t
    inner join routes as r on r.id = t.route_table_id and r.address = '0.0.0.0/0' and r.target_id is not null
),

through_nat as (
    select
        'nat-gateway' as via,
        d.nat_gateway_id as label,
        unnest(n.public_ips) as public_ip,
        d.node_name,
        d.subnet_id,
        to_json({'nat_gateway_id': d.nat_gateway_id, 'route_table_id': d.route_table_id, 'subnet_id': d.subnet_id, 'instance_id': d.instance_id,
            'rows': [d.instance_row, d.route_row, n.row_id], 'seen_at': list_sort([d.instance_seen, d.route_seen, n.snapshot_at])[3]}) as evidence
    from defaults as d
    inner join nats as n on n.id = d.nat_gateway_id
),

own_address as (
    select
        'instance' as via,
        instance_id as label,
        public_address as public_ip,
        node_name,
        subnet_id,
        to_json({'instance_id': instance_id, 'rows': [row_id], 'seen_at': snapshot_at}) as evidence
    from instances
    where public_address is not null
),

final as (
    select * from through_nat where public_ip is not null
    union all
    select * from own_address
)

select * from final
