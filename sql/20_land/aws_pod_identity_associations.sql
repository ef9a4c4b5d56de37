-- EKS Pod Identity associations -> aws_pod_identity_associations: one row per association per
-- snapshot. Reads relation `src` (doc mode). Params: $snapshot_at, $origin_region.
-- Shapes: `aws eks describe-pod-identity-association` {"association":{clusterName, namespace,
-- serviceAccount, roleArn, targetRoleArn, disableSessionTags, externalId, associationArn,
-- associationId, ownerArn, createdAt, modifiedAt}} (record_path /association, row_id
-- <file>-<ordinal>), and `aws eks list-pod-identity-associations` {"associations":[{clusterName,
-- namespace, serviceAccount, associationArn, associationId, ownerArn}], "nextToken"} (one record per
-- element, /associations/<i-1>): the list omits the role, so its rows have described = false and
-- role_arn NULL; correlation takes the described row of an association.
-- targetRoleArn: EKS assumes role_arn, then chains into target_role_arn (the credentials the pod
-- gets are target_role_arn's). disableSessionTags: no kubernetes-* session tags on the AssumeRole.
-- Dispositions: not an object -> reject.invalid_envelope; no associationId -> reject.unknown_shape.

with

described as (
    select _efid, _ordinal, _line, 0 as idx, '/association' as record_path, _doc -> 'association' as e, true as described
    from src
    where json_type(_doc, '$.association') = 'OBJECT'
),

listed_docs as (
    select _efid, _ordinal, _line, pt_json_list(_doc, 'associations') as list
    from src
    where json_type(_doc, '$.associations') = 'ARRAY'
),

listed as (
    select _efid, _ordinal, _line, unnest(range(1, len(list) + 1)) as idx, null as record_path, unnest(list) as e, false as described
    from listed_docs
),

records as (
    select * from described
    union all
    select * from listed
),

final as (
    select
        -- ids
        case when described then pt_row_id(_efid, _ordinal) else pt_row_id_el(_efid, _ordinal, idx) end as row_id,
        _efid as evidence_file_id,
        _line as line,
        coalesce(record_path, '/associations/' || (idx - 1)) as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        coalesce($origin_region::VARCHAR, split_part(e ->> 'associationArn', ':', 4)) as region,
        -- the association
        e ->> 'associationId' as association_id,
        e ->> 'associationArn' as association_arn,
        e ->> 'clusterName' as cluster_name,
        e ->> 'namespace' as namespace,
        e ->> 'serviceAccount' as service_account,
        e ->> 'roleArn' as role_arn,
        e ->> 'targetRoleArn' as target_role_arn,
        try_cast(e ->> 'disableSessionTags' as BOOLEAN) as disable_session_tags,
        e ->> 'externalId' as external_id,
        e ->> 'ownerArn' as owner_arn,
        pt_aws_ts(e ->> 'createdAt') as created_at,
        pt_aws_ts(e ->> 'modifiedAt') as modified_at,
        described,
        case
            when json_type(e) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (e ->> 'associationId') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from records
)

select * from final
