-- `aws ec2 describe-addresses` -> aws_elastic_ips: one row per Elastic IP per snapshot.
-- Reads relation `src` (doc mode). Params: $snapshot_at, $origin_region (see aws_network_interfaces.sql).
-- Shape: {"Addresses":[{PublicIp, AllocationId, AssociationId, Domain, InstanceId,
-- NetworkInterfaceId, PrivateIpAddress, NetworkBorderGroup}]}. Record = one address: row_id
-- <file>-<ordinal>-<i>, record_path /Addresses/<i-1>. Dispositions: not an object ->
-- reject.invalid_envelope; no PublicIp -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, pt_json_list(_doc, 'Addresses') as list
    from src
    where json_type(_doc, '$.Addresses') = 'ARRAY'
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
        '/Addresses/' || (idx - 1) as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        $origin_region::VARCHAR as region,
        -- the address
        e ->> 'PublicIp' as public_ip,
        e ->> 'AllocationId' as allocation_id,
        e ->> 'AssociationId' as association_id,
        e ->> 'Domain' as domain,
        e ->> 'InstanceId' as instance_id,
        e ->> 'NetworkInterfaceId' as eni_id,
        e ->> 'PrivateIpAddress' as private_ip,
        case
            when json_type(e) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (e ->> 'PublicIp') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from elements
)

select * from final
