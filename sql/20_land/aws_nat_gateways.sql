-- `aws ec2 describe-nat-gateways` -> aws_nat_gateways: one row per NAT gateway per snapshot.
-- Reads relation `src` through pt_snapshot_records (sql/00_macros/pt_snapshot.sql). Params: $snapshot_at,
-- $origin_region (see aws_network_interfaces.sql).
-- Shape: {"NatGateways":[{NatGatewayId, State, ConnectivityType (public | private), VpcId, SubnetId,
-- CreateTime, DeleteTime, NatGatewayAddresses[{AllocationId, NetworkInterfaceId, PrivateIp,
-- PublicIp, IsPrimary, Status}]}]}. Record = one NAT gateway: row_id <file>-<ordinal>-<i>,
-- record_path /NatGateways/<i-1>. Addresses keep the API's order (primary first as AWS lists them).
-- Dispositions: not an object -> reject.invalid_envelope; no NatGatewayId -> reject.unknown_shape.

with

records as (
    select * from pt_snapshot_records('src', 'NatGateways', $snapshot_at, $origin_region)
),

final as (
    select
        -- ids, when and where it was seen
        * exclude (e),
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
        pt_snapshot_disposition(e, 'NatGatewayId') as _disposition
    from records
)

select * from final
