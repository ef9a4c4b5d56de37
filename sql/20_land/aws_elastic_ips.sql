-- `aws ec2 describe-addresses` -> aws_elastic_ips: one row per Elastic IP per snapshot.
-- Reads relation `src` through pt_snapshot_records (sql/00_macros/pt_snapshot.sql). Params: $snapshot_at,
-- $origin_region (see aws_network_interfaces.sql).
-- Shape: {"Addresses":[{PublicIp, AllocationId, AssociationId, Domain, InstanceId,
-- NetworkInterfaceId, PrivateIpAddress, NetworkBorderGroup}]}. Record = one address: row_id
-- <file>-<ordinal>-<i>, record_path /Addresses/<i-1>. Dispositions: not an object ->
-- reject.invalid_envelope; no PublicIp -> reject.unknown_shape.

with

records as (
    select * from pt_snapshot_records('src', 'Addresses', $snapshot_at, $origin_region)
),

final as (
    select
        -- ids, when and where it was seen
        * exclude (e),
        -- the address
        e ->> 'PublicIp' as public_ip,
        e ->> 'AllocationId' as allocation_id,
        e ->> 'AssociationId' as association_id,
        e ->> 'Domain' as domain,
        e ->> 'InstanceId' as instance_id,
        e ->> 'NetworkInterfaceId' as eni_id,
        e ->> 'PrivateIpAddress' as private_ip,
        pt_snapshot_disposition(e, 'PublicIp') as _disposition
    from records
)

select * from final
