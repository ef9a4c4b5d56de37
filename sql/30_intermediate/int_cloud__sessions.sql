-- Credential sessions: one row per access key seen in the window (issued or used), with the
-- subject it was issued to. The logic behind credential_sessions.
create or replace view int_cloud__sessions as

with

calls as (
    select * from int_cloud__calls
),

nodes as (
    select instance_id, arg_max(name, snapshot_at) as node_name
    from k8s_nodes
    where instance_id is not null
    group by instance_id
),

issued as (
    -- calls that returned a key, first issuance wins
    select
        issued_access_key_id as access_key_id,
        arg_min(event_id, (ts, event_id)) as issuing_event_id
    from calls
    where issued_access_key_id is not null and error_code is null
    group by issued_access_key_id
),

issuing as (
    select
        i.access_key_id,
        c.event_id as issuing_event_id,
        c.event_name as issuing_event_name,
        c.ts as issued_at,
        e.issued_expires_at as expires_at,
        e.issued_role_arn as role_arn,
        e.issued_session_arn as session_arn,
        e.issued_session_name as issued_session_name,
        c.source_ip as issuing_source_ip,
        c.access_key_id as parent_access_key_id,
        c.tag_pod_uid,
        c.tag_namespace,
        c.tag_service_account,
        c.web_identity_subject,
        c.event_name,
        c.event_source,
        e.request_parameters ->> 'userName' as created_user_name
    from issued as i
    inner join calls as c on c.event_id = i.issuing_event_id
    inner join cloud_events as e on e.event_id = c.event_id
),

usage as (
    select
        access_key_id,
        count(*) as calls,
        min(ts) as first_used_at,
        max(ts) as last_used_at,
        arg_min(principal_arn, (ts, event_id)) as principal_arn,
        arg_min(session_name, (ts, event_id)) as used_session_name,
        arg_min(principal_type, (ts, event_id)) as principal_type,
        bool_or(node_role_session) as node_role_session
    from calls
    where access_key_id is not null and access_key_id <> ''
    group by access_key_id
),

keys as (
    select access_key_id from issued
    union
    select access_key_id from usage
),

joined as (
    select
        k.access_key_id,
        s.*  exclude (access_key_id),
        u.calls,
        u.first_used_at,
        u.last_used_at,
        u.principal_arn,
        u.used_session_name,
        u.principal_type,
        u.node_role_session
    from keys as k
    left join issuing as s on s.access_key_id = k.access_key_id
    left join usage as u on u.access_key_id = k.access_key_id
),

subjects as (
    select
        *,
        case
            when tag_pod_uid is not null then 'pod'
            when event_name = 'AssumeRoleWithWebIdentity' and web_identity_subject like 'system:serviceaccount:%' then 'service-account'
            when issuing_event_id is not null and event_name = 'CreateAccessKey' then 'iam-user'
            when issuing_event_id is not null and parent_access_key_id is not null then 'parent-session'
            when issuing_event_id is null and node_role_session then 'instance'
            when issuing_event_id is null and access_key_id like 'AKIA%' then 'iam-user'
            else 'unknown'
        end as subject_type,
        split_part(web_identity_subject, ':', 3) as irsa_namespace,
        split_part(web_identity_subject, ':', 4) as irsa_service_account
    from joined
),

final as (
    select
        s.access_key_id,
        s.issuing_event_id,
        s.issuing_event_name,
        s.issued_at,
        s.expires_at,
        s.role_arn,
        s.session_arn,
        coalesce(s.issued_session_name, s.used_session_name) as session_name,
        s.subject_type,
        case s.subject_type
            when 'pod' then s.tag_pod_uid
            when 'service-account' then s.irsa_namespace || ':' || s.irsa_service_account
            when 'instance' then s.used_session_name
            when 'iam-user' then coalesce(s.created_user_name, s.principal_arn)
            when 'parent-session' then s.parent_access_key_id
        end as subject,
        s.tag_pod_uid as subject_pod_uid,
        case s.subject_type when 'pod' then s.tag_namespace when 'service-account' then s.irsa_namespace end as subject_namespace,
        case s.subject_type when 'pod' then s.tag_service_account when 'service-account' then s.irsa_service_account end as subject_service_account,
        case when s.subject_type = 'instance' then s.used_session_name end as subject_instance_id,
        n.node_name as subject_node_name,
        s.parent_access_key_id,
        s.issuing_source_ip,
        s.principal_arn,
        coalesce(s.calls, 0) as calls,
        s.first_used_at,
        s.last_used_at,
        case when s.issuing_event_id is not null then 'issuing-event' else 'principal-fallback' end as resolution
    from subjects as s
    left join nodes as n on s.subject_type = 'instance' and n.instance_id = s.used_session_name
)

select * from final
