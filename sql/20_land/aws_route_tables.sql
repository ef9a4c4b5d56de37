-- `aws ec2 describe-route-tables` -> aws_route_tables: one row per route of a route table per
-- snapshot, with the table's subnet associations. Reads relation `src` (doc mode). Params:
-- $snapshot_at, $origin_region (see aws_network_interfaces.sql).
-- Shape: {"RouteTables":[{RouteTableId, VpcId, Associations[{Main, SubnetId, RouteTableAssociationId}],
-- Routes[{DestinationCidrBlock | DestinationIpv6CidrBlock | DestinationPrefixListId, NatGatewayId |
-- GatewayId | InstanceId | NetworkInterfaceId | TransitGatewayId | VpcPeeringConnectionId, State, Origin}]}]}.
-- Record = one route: row_id <file>-<ordinal>-<n> (n numbers the routes of the document in order),
-- record_path /RouteTables/<t>/Routes/<r>. A route table without routes keeps one record with
-- destination NULL (record_path /RouteTables/<t>) so its associations are still known.
-- target_kind: nat-gateway | gateway (igw-, vgw-; a gateway endpoint is vpce-) | vpc-endpoint |
-- local | instance | network-interface | transit-gateway | peering | other.
-- Dispositions: a table that is not an object, or without RouteTableId -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, pt_json_list(_doc, 'RouteTables') as list
    from src
    where json_type(_doc, '$.RouteTables') = 'ARRAY'
),

tables_ as (
    select _efid, _ordinal, _line, unnest(range(0, len(list))) as t, unnest(list) as rt
    from docs
),

routes as (
    select _efid, _ordinal, _line, t, rt, unnest(range(0, len(pt_json_list(rt, 'Routes')))) as r, unnest(pt_json_list(rt, 'Routes')) as route
    from tables_
    where len(pt_json_list(rt, 'Routes')) > 0
    union all
    select _efid, _ordinal, _line, t, rt, null, null
    from tables_
    where len(pt_json_list(rt, 'Routes')) = 0
),

numbered as (
    select *, row_number() over (partition by _efid, _ordinal order by t, r nulls first) as idx
    from routes
),

final as (
    select
        -- ids
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/RouteTables/' || t || coalesce('/Routes/' || r, '') as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        $origin_region::VARCHAR as region,
        -- the table
        rt ->> 'RouteTableId' as route_table_id,
        rt ->> 'VpcId' as vpc_id,
        coalesce(list_bool_or([coalesce(try_cast(a ->> 'Main' as BOOLEAN), false) for a in pt_json_list(rt, 'Associations')]), false) as main,
        list_sort(list_filter([a ->> 'SubnetId' for a in pt_json_list(rt, 'Associations')], x -> x is not null)) as subnet_ids,
        -- the route
        coalesce(route ->> 'DestinationCidrBlock', route ->> 'DestinationIpv6CidrBlock', route ->> 'DestinationPrefixListId') as destination,
        route ->> 'DestinationPrefixListId' as destination_prefix_list_id,
        case
            when route ->> 'NatGatewayId' is not null then 'nat-gateway'
            when (route ->> 'GatewayId') = 'local' then 'local'
            when (route ->> 'GatewayId') like 'vpce-%' then 'vpc-endpoint'
            when route ->> 'GatewayId' is not null then 'gateway'
            when route ->> 'TransitGatewayId' is not null then 'transit-gateway'
            when route ->> 'VpcPeeringConnectionId' is not null then 'peering'
            when route ->> 'InstanceId' is not null then 'instance'
            when route ->> 'NetworkInterfaceId' is not null then 'network-interface'
            when route is not null then 'other'
        end as target_kind,
        coalesce(route ->> 'NatGatewayId', route ->> 'GatewayId', route ->> 'TransitGatewayId', route ->> 'VpcPeeringConnectionId', route ->> 'InstanceId', route ->> 'NetworkInterfaceId') as target_id,
        route ->> 'State' as state,
        case
            when json_type(rt) is distinct from 'OBJECT' or (rt ->> 'RouteTableId') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from numbered
)

select * from final
