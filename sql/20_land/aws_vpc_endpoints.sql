-- `aws ec2 describe-vpc-endpoints` -> aws_vpc_endpoints: one row per VPC endpoint per snapshot.
-- Reads relation `src` (doc mode). Params: $snapshot_at, $origin_region (see aws_network_interfaces.sql).
-- Shape: {"VpcEndpoints":[{VpcEndpointId, VpcEndpointType (Interface | Gateway | GatewayLoadBalancer),
-- VpcId, ServiceName, State, NetworkInterfaceIds[], SubnetIds[], RouteTableIds[], DnsEntries
-- [{DnsName}], CreationTimestamp}]}. The private addresses of an interface endpoint are those of its
-- network interfaces (aws_network_interfaces); a gateway endpoint (S3, DynamoDB) has none: it is
-- reached through the prefix list its route tables name (aws_route_tables, aws_prefix_lists).
-- Record = one endpoint: row_id <file>-<ordinal>-<i>, record_path /VpcEndpoints/<i-1>.
-- event_source: the CloudTrail eventSource of the service (pt_vpce_event_source).
-- Dispositions: not an object -> reject.invalid_envelope; no VpcEndpointId -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, pt_json_list(_doc, 'VpcEndpoints') as list
    from src
    where json_type(_doc, '$.VpcEndpoints') = 'ARRAY'
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
        '/VpcEndpoints/' || (idx - 1) as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        $origin_region::VARCHAR as region,
        -- the endpoint
        e ->> 'VpcEndpointId' as vpc_endpoint_id,
        e ->> 'VpcEndpointType' as endpoint_type,
        e ->> 'ServiceName' as service_name,
        pt_vpce_event_source(e ->> 'ServiceName') as event_source,
        e ->> 'VpcId' as vpc_id,
        e ->> 'State' as state,
        pt_aws_ts(e ->> 'CreationTimestamp') as created_at,
        list_sort(coalesce(json_extract_string(e, '$.NetworkInterfaceIds[*]'), [])) as eni_ids,
        list_sort(coalesce(json_extract_string(e, '$.SubnetIds[*]'), [])) as subnet_ids,
        list_sort(coalesce(json_extract_string(e, '$.RouteTableIds[*]'), [])) as route_table_ids,
        [d ->> 'DnsName' for d in pt_json_list(e, 'DnsEntries')] as dns_names,
        case
            when json_type(e) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (e ->> 'VpcEndpointId') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from elements
)

select * from final
