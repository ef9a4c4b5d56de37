-- The AWS network inventory as last seen (the latest snapshot of each resource), and which node
-- each instance is. A collected fact describes the account when it was collected; a NAT gateway
-- created after the window's end or deleted before its start is not used for it (the other
-- resources carry no such times: they are taken as they were seen). One row per route.
--   kind: instance | nat | route
create or replace view int_net__aws_latest as

with

settings as (
    select window_from, window_to from case_settings
),

nodes as (
    select name as node_name, instance_id
    from (select name, arg_max(instance_id, snapshot_at) as instance_id from k8s_nodes group by name)
    where instance_id is not null
),

instances as (
    select i.*, n.node_name
    from aws_instances as i
    left join nodes as n on n.instance_id = i.instance_id
    qualify snapshot_at = max(snapshot_at) over (partition by i.instance_id)
),

nats as (
    select g.*
    from aws_nat_gateways as g, settings as s
    where (g.create_time is null or g.create_time <= s.window_to)
        and (g.delete_time is null or g.delete_time >= s.window_from)
    qualify snapshot_at = max(snapshot_at) over (partition by g.nat_gateway_id)
),

routes as (
    select *
    from aws_route_tables
    qualify snapshot_at = max(snapshot_at) over (partition by route_table_id)
),

final as (
    select 'instance' as kind, row_id, snapshot_at, instance_id as id, vpc_id, subnet_id, node_name, private_ip as address, public_ip as public_address, null::VARCHAR as target_id, null::VARCHAR[] as subnet_ids, null::BOOLEAN as main, null::VARCHAR[] as public_ips
    from instances
    union all
    select 'nat', row_id, snapshot_at, nat_gateway_id, vpc_id, subnet_id, null, null, null, connectivity_type, null, null, public_ips
    from nats
    union all
    select 'route', row_id, snapshot_at, route_table_id, vpc_id, null, null, destination, null, case target_kind when 'nat-gateway' then target_id end, subnet_ids, main, null
    from routes
)

select * from final
