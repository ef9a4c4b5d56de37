-- `aws ec2 describe-vpc-endpoints` -> aws_vpc_endpoints: one row per VPC endpoint per snapshot.
-- Reads relation `src` through pt_snapshot_records (sql/00_macros/pt_snapshot.sql). Params: $snapshot_at,
-- $origin_region (see aws_network_interfaces.sql).
-- Shape: {"VpcEndpoints":[{VpcEndpointId, VpcEndpointType (Interface | Gateway | GatewayLoadBalancer),
-- VpcId, ServiceName, State, NetworkInterfaceIds[], SubnetIds[], RouteTableIds[], DnsEntries
-- [{DnsName}], CreationTimestamp}]}. The private addresses of an interface endpoint are those of its
-- network interfaces (aws_network_interfaces); a gateway endpoint (S3, DynamoDB) has none: it is
-- reached through the prefix list its route tables name (aws_route_tables, aws_prefix_lists).
-- Record = one endpoint: row_id <file>-<ordinal>-<i>, record_path /VpcEndpoints/<i-1>.
-- event_source: the CloudTrail eventSource of the service (pt_vpce_event_source).
-- Dispositions: not an object -> reject.invalid_envelope; no VpcEndpointId -> reject.unknown_shape.

with

records as (
    select * from pt_snapshot_records('src', 'VpcEndpoints', $snapshot_at, $origin_region)
),

final as (
    select
        -- ids, when and where it was seen
        * exclude (e),
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
        pt_snapshot_disposition(e, 'VpcEndpointId') as _disposition
    from records
)

select * from final
