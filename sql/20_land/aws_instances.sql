-- `aws ec2 describe-instances` -> aws_instances: one row per instance per snapshot.
-- Reads relation `src` (doc mode). Params: $snapshot_at, $origin_region (see aws_network_interfaces.sql).
-- Shape: {"Reservations":[{"Instances":[{InstanceId, State{Name}, VpcId, SubnetId, Placement
-- {AvailabilityZone}, PrivateIpAddress, PublicIpAddress, PrivateDnsName, LaunchTime,
-- IamInstanceProfile{Arn}, NetworkInterfaces[{NetworkInterfaceId}], Tags[{Key, Value}]}]}]}.
-- Record = one instance: row_id <file>-<ordinal>-<n> (n numbers the instances of the document in
-- order), record_path /Reservations/<r>/Instances/<i>. cluster_name: the aws:eks:cluster-name tag,
-- else the <name> of a kubernetes.io/cluster/<name> tag. Dispositions: not an object ->
-- reject.invalid_envelope; no InstanceId -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, pt_json_list(_doc, 'Reservations') as list
    from src
    where json_type(_doc, '$.Reservations') = 'ARRAY'
),

reservations as (
    select _efid, _ordinal, _line, unnest(range(0, len(list))) as r, unnest(list) as res
    from docs
),

instances as (
    select _efid, _ordinal, _line, r, unnest(range(0, len(pt_json_list(res, 'Instances')))) as i, unnest(pt_json_list(res, 'Instances')) as e
    from reservations
),

numbered as (
    select *, row_number() over (partition by _efid, _ordinal order by r, i) as idx
    from instances
),

final as (
    select
        -- ids
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/Reservations/' || r || '/Instances/' || i as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        $origin_region::VARCHAR as region,
        -- the instance
        e ->> 'InstanceId' as instance_id,
        e ->> '$.State.Name' as state,
        e ->> 'VpcId' as vpc_id,
        e ->> 'SubnetId' as subnet_id,
        e ->> '$.Placement.AvailabilityZone' as availability_zone,
        e ->> 'PrivateIpAddress' as private_ip,
        e ->> 'PublicIpAddress' as public_ip,
        e ->> 'PrivateDnsName' as private_dns_name,
        pt_aws_ts(e ->> 'LaunchTime') as launch_time,
        e ->> '$.IamInstanceProfile.Arn' as instance_profile_arn,
        coalesce(
            [t ->> 'Value' for t in pt_json_list(e, 'Tags') if (t ->> 'Key') = 'aws:eks:cluster-name'][1],
            [regexp_extract(t ->> 'Key', '^kubernetes\.io/cluster/(.+)$', 1) for t in pt_json_list(e, 'Tags') if (t ->> 'Key') like 'kubernetes.io/cluster/%'][1]
        ) as cluster_name,
        list_sort([x ->> 'NetworkInterfaceId' for x in pt_json_list(e, 'NetworkInterfaces')]) as eni_ids,
        case
            when json_type(e) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (e ->> 'InstanceId') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from numbered
)

select * from final
