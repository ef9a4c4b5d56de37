-- `aws eks describe-cluster` -> aws_eks_clusters: one row per cluster per snapshot.
-- Reads relation `src` (doc mode). Params: $snapshot_at, $origin_region.
-- Shape: {"cluster":{name, arn, createdAt (ISO from the CLI, epoch seconds on the wire), version,
-- status, endpoint, roleArn, resourcesVpcConfig{vpcId, subnetIds[], clusterSecurityGroupId},
-- kubernetesNetworkConfig{serviceIpv4Cidr, ipFamily}, identity{oidc{issuer}}, logging
-- {clusterLogging[{types[], enabled}]}}}. Record = the document: row_id <file>-<ordinal>,
-- record_path /cluster. audit_logging: the "audit" log type is enabled (else no kube-apiserver-audit
-- stream exists in CloudWatch Logs). Dispositions: no name -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, _doc -> 'cluster' as e
    from src
    where json_type(_doc, '$.cluster') = 'OBJECT'
),

final as (
    select
        -- ids
        pt_row_id(_efid, _ordinal) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/cluster' as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        coalesce($origin_region::VARCHAR, split_part(e ->> 'arn', ':', 4)) as region,
        -- the cluster
        e ->> 'name' as cluster_name,
        e ->> 'arn' as cluster_arn,
        split_part(e ->> 'arn', ':', 5) as account_id,
        pt_aws_ts(e ->> 'createdAt') as created_at,
        e ->> 'version' as version,
        e ->> 'status' as status,
        e ->> 'endpoint' as endpoint,
        e ->> 'roleArn' as role_arn,
        e ->> '$.resourcesVpcConfig.vpcId' as vpc_id,
        list_sort(coalesce(json_extract_string(e, '$.resourcesVpcConfig.subnetIds[*]'), [])) as subnet_ids,
        e ->> '$.kubernetesNetworkConfig.serviceIpv4Cidr' as service_ipv4_cidr,
        e ->> '$.kubernetesNetworkConfig.ipFamily' as ip_family,
        e ->> '$.identity.oidc.issuer' as oidc_issuer,
        coalesce(list_bool_or([coalesce(try_cast(l ->> 'enabled' as BOOLEAN), false) and list_contains(coalesce(json_extract_string(l, '$.types[*]'), []), 'audit') for l in pt_json_list(e, 'logging.clusterLogging')]), false) as audit_logging,
        case
            when (e ->> 'name') is null or (e ->> 'arn') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from docs
)

select * from final
