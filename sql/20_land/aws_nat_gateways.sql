-- `aws ec2 describe-nat-gateways` -> aws_nat_gateways: one row per NAT gateway per snapshot.
-- Reads relation `src` (doc mode). Params: $snapshot_at, $origin_region (see aws_network_interfaces.sql).
-- Shape: {"NatGateways":[{NatGatewayId, State, ConnectivityType (public | private), VpcId, SubnetId,
-- CreateTime, DeleteTime, NatGatewayAddresses[{AllocationId, NetworkInterfaceId, PrivateIp,
-- PublicIp, IsPrimary, Status}]}]}. Record = one NAT gateway: row_id <file>-<ordinal>-<i>,
-- record_path /NatGateways/<i-1>. Addresses keep the API's order (primary first as AWS lists them).
-- Dispositions: not an object -> reject.invalid_envelope; no NatGatewayId -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, pt_json_list(_doc, 'NatGateways') as list
    from src
    where json_type(_doc, '$.NatGateways') = 'ARRAY'
),

elements as (
    select _efid, _ordinal, _line, unnest(range(1, len(list) + 1)) as idx, unnest(list) as e
    from docs
),

final as (
    select
        -- ids
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/NatGateways/' || (idx - 1) as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        $origin_region::VARCHAR as region,
        -- the gateway
        e ->> 'NatGatewayId' as nat_gateway_id,
        e ->> 'State' as state,
        coalesce(e ->> 'ConnectivityType', 'public') as connectivity_type,
        e ->> 'VpcId' as vpc_id,
        e ->> 'SubnetId' as subnet_id,
        pt_aws_ts(e ->> 'CreateTime') as create_time,
        pt_aws_ts(e ->> 'DeleteTime') as delete_time,
        list_filter([x ->> 'PublicIp' for x in pt_json_list(e, 'NatGatewayAddresses')], x -> x is not null) as public_ips,
        list_filter([x ->> 'PrivateIp' for x in pt_json_list(e, 'NatGatewayAddresses')], x -> x is not null) as private_ips,
        list_filter([x ->> 'NetworkInterfaceId' for x in pt_json_list(e, 'NatGatewayAddresses')], x -> x is not null) as eni_ids,
        list_filter([x ->> 'AllocationId' for x in pt_json_list(e, 'NatGatewayAddresses')], x -> x is not null) as allocation_ids,
        case
            when json_type(e) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (e ->> 'NatGatewayId') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from elements
)

select * from final
