-- The fields of each audit event, and what makes a record no audit event (shape_problem).

with

extracted as (
    select
        *,
        json_extract_string(ev, [
            '$.auditID', '$.stage', '$.level', '$.verb', '$.requestURI', '$.impersonatedUser.username',
            '$.userAgent', '$.responseStatus.code', '$.requestReceivedTimestamp', '$.stageTimestamp',
            '$.timestamp', '$.requestObject.metadata.uid', '$.responseObject.metadata.uid', '$.apiVersion',
            '$.responseObject.metadata.name', '$.requestObject.spec.serviceAccountName', '$.responseObject.spec.serviceAccountName',
            '$.requestObject.target.name', '$.requestObject.target.kind', '$.responseObject.spec.nodeName', '$.requestObject.spec.nodeName'
        ]) as s,
        json_extract(ev, [
            '$.objectRef', '$.user', '$.sourceIPs', '$.annotations', '$.requestObject.spec.boundObjectRef'
        ]) as j
    from unwrapped
),

final as (
    select
        _efid,
        _ordinal,
        _line,
        record_path,
        element_idx,
        wrapper,
        case
            when wrapper is null then 'unknown_shape'
            when is_control then 'control_message'
            when wrapper = 'eks-cloudwatch' and inner_text is null then 'unknown_shape'
            when wrapper = 'aks' and aks_category not in ('kube-audit', 'kube-audit-admin') then 'unknown_shape'
            when inner_text is not null and ev is null then 'invalid_json'
            -- an audit event: v1 (apiVersion), or the older shape (auditID, or a stage with a verb or URI)
            when not coalesce(
                s[14] like 'audit.k8s.io/%'
                or s[1] is not null
                or (s[2] is not null and (s[4] is not null or s[5] is not null)),
                false
            ) then 'unknown_shape'
        end as shape_problem,
        nullif(s[1], '') as audit_id,
        s[2] as stage,
        s[3] as level,
        s[4] as verb,
        s[5] as request_uri_raw,
        nullif(j[1] ->> 'resource', '') as resource,
        nullif(j[1] ->> 'subresource', '') as subresource,
        nullif(j[1] ->> 'namespace', '') as namespace,
        coalesce(nullif(j[1] ->> 'name', ''), case when s[4] = 'create' and nullif(j[1] ->> 'subresource', '') is null then nullif(s[15], '') end) as name,
        case when (j[1] ->> 'resource') = 'pods' and nullif(j[1] ->> 'subresource', '') is null
            then coalesce(nullif(s[16], ''), nullif(s[17], '')) end as pod_service_account,
        case
            when (j[1] ->> 'resource') = 'pods' and (j[1] ->> 'subresource') = 'binding' and coalesce(s[19], 'Node') = 'Node' then nullif(s[18], '')
            when (j[1] ->> 'resource') = 'pods' and nullif(j[1] ->> 'subresource', '') is null then coalesce(nullif(s[20], ''), nullif(s[21], ''))
        end as pod_node_name,
        coalesce(nullif(j[1] ->> 'uid', ''), nullif(s[12], ''), nullif(s[13], '')) as object_uid,
        nullif(j[1] ->> 'apiGroup', '') as api_group,
        j[2] ->> 'username' as user_name,
        pt_ka_string_list(j[2] -> 'groups') as user_groups,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/pod-name') as user_extra_pod_name,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/pod-uid') as user_extra_pod_uid,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/node-name') as user_extra_node_name,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/credential-id') as credential_id,
        s[6] as impersonated_user,
        nullif(j[4] ->> 'authentication.kubernetes.io/issued-credential-id', '') as issued_credential_id,
        case when (j[5] ->> 'kind') = 'Pod' then j[5] ->> 'name' end as bound_pod_name,
        case when (j[5] ->> 'kind') = 'Pod' then j[5] ->> 'uid' end as bound_pod_uid,
        pt_ip_norm_list(pt_ka_string_list(j[3])) as source_ips,
        s[7] as user_agent,
        try_cast(s[8] as INTEGER) as response_code,
        s[8] as response_code_raw,
        j[4] ->> 'authorization.k8s.io/decision' as decision,
        case when json_type(j[4]) = 'OBJECT' then j[4] end as annotations,
        s[9] as received_raw,
        s[10] as stage_raw,
        s[11] as legacy_raw
    from extracted
)

select * from final
