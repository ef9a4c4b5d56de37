-- `aws ec2 describe-network-interfaces` (the CLI's JSON, which is the SDK's output) ->
-- aws_network_interfaces: one row per network interface per snapshot.
-- Reads relation `src` (doc mode). Params: $snapshot_at (the instant it was seen: file name or
-- --snapshot-at), $origin_region (the region in the file name; EC2 answers do not name it).
-- Shape: {"NetworkInterfaces":[{NetworkInterfaceId, InterfaceType, SubnetId, VpcId, AvailabilityZone,
-- PrivateIpAddress, PrivateIpAddresses[{PrivateIpAddress, Primary, Association{PublicIp}}],
-- Ipv4Prefixes[{Ipv4Prefix}], Ipv6Addresses[{Ipv6Address}], Ipv6Prefixes[{Ipv6Prefix}],
-- Association{PublicIp}, Attachment{InstanceId, DeviceIndex}, Description, RequesterId, Status}],
-- "NextToken"}. Record = one interface: row_id <file>-<ordinal>-<i>, record_path /NetworkInterfaces/<i-1>.
-- A snapshot is never out of window. Dispositions: an element that is not an object ->
-- reject.invalid_envelope; no NetworkInterfaceId -> reject.unknown_shape.

with

records as (
    select * from pt_snapshot_records('src', 'NetworkInterfaces', $snapshot_at, $origin_region)
),

final as (
    select
        -- ids, when and where it was seen
        * exclude (e),
        -- the interface
        e ->> 'NetworkInterfaceId' as eni_id,
        e ->> 'InterfaceType' as interface_type,
        e ->> 'Description' as description,
        e ->> 'Status' as status,
        e ->> 'VpcId' as vpc_id,
        e ->> 'SubnetId' as subnet_id,
        e ->> 'AvailabilityZone' as availability_zone,
        e ->> '$.Attachment.InstanceId' as instance_id,
        try_cast(e ->> '$.Attachment.DeviceIndex' as INTEGER) as device_index,
        e ->> 'RequesterId' as requester_id,
        -- its addresses
        e ->> 'PrivateIpAddress' as primary_ip,
        [x ->> 'PrivateIpAddress' for x in pt_json_list(e, 'PrivateIpAddresses') if not coalesce(try_cast(x ->> 'Primary' as BOOLEAN), false)] as secondary_ips,
        [x ->> 'Ipv4Prefix' for x in pt_json_list(e, 'Ipv4Prefixes')] as ipv4_prefixes,
        [x ->> 'Ipv6Address' for x in pt_json_list(e, 'Ipv6Addresses')] as ipv6_addresses,
        [x ->> 'Ipv6Prefix' for x in pt_json_list(e, 'Ipv6Prefixes')] as ipv6_prefixes,
        list_sort(list_distinct(list_filter(list_prepend(e ->> '$.Association.PublicIp', [x ->> '$.Association.PublicIp' for x in pt_json_list(e, 'PrivateIpAddresses')]), x -> x is not null))) as public_ips,
        pt_snapshot_disposition(e, 'NetworkInterfaceId') as _disposition
    from records
)

select * from final
