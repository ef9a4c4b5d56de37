-- Each cloud call with its credential session and the path it took (attribution, step 1).
-- path: pod-identity (session tag, or a Pod Identity session name), irsa (web identity), node-role
-- (instance-id session), static-key (long-term key or IAM user), else source-ip.
-- A chained key (int_cloud__chains: issued by AssumeRole called with another session's key) takes
-- its root's subject and path, never a subject of its own; chain_event_ids are the links' issuing
-- calls. For a chained node-role key the metadata service's credentials were read before the root
-- key's creation is what counts (session_created_at is the root's).
-- EKS Pod Identity's AssumeRole into an association's target role (made by pods.eks.amazonaws.com
-- with the pod's key) is no call on the session's behalf to inherit from: the key chain decides it.
create or replace view int_attr__events as

with

calls as (
    select * from int_cloud__calls
),

sessions as (
    select * from credential_sessions
),

settings as (
    select tolerance_seconds from case_settings
),

role_subjects as (
    select * from int_cloud__role_subjects where service_accounts = 1
),

chains as (
    select * from int_cloud__chains
),

joined as (
    select
        c.* replace (
            case when ch.access_key_id is not null then ch.root_created_at else c.session_created_at end as session_created_at,
            c.node_role_session or coalesce(ch.root_node_role_session, false) as node_role_session
        ),
        case when ch.access_key_id is not null then ch.root_subject_type else s.subject_type end as subject_type,
        case when ch.access_key_id is not null then ch.root_pod_uid else s.subject_pod_uid end as subject_pod_uid,
        case when ch.access_key_id is not null then ch.root_namespace else s.subject_namespace end as subject_namespace,
        case when ch.access_key_id is not null then ch.root_service_account else s.subject_service_account end as subject_service_account,
        case when ch.access_key_id is not null then ch.root_node_name else s.subject_node_name end as subject_node_name,
        s.issuing_event_id,
        ch.root_key as chain_root_key,
        coalesce(ch.depth, 0) as chain_depth,
        coalesce(ch.chain_event_ids, []::VARCHAR[]) as chain_event_ids,
        ch.root_issuing_event_id as chain_root_issuing_event_id,
        case when ch.access_key_id is not null and ch.root_web_identity then 'chained' else e.web_identity_provider end as web_identity_provider,
        r.namespace as role_namespace,
        r.service_account as role_service_account
    from calls as c
    left join sessions as s on s.access_key_id = c.access_key_id
    left join chains as ch on ch.access_key_id = c.access_key_id
    left join cloud_events as e on e.event_id = c.event_id
    -- a chained key's session issuer is the chained role: the root's role names the service account
    left join role_subjects as r on r.role_arn = case when ch.access_key_id is not null then ch.root_role_arn else c.session_issuer_arn end
),

final as (
    select
        j.*,
        case
            when j.tag_pod_uid is not null or j.subject_type = 'pod' then 'pod-identity'
            when j.event_name = 'AssumeRoleWithWebIdentity' or j.subject_type = 'service-account' or j.web_identity_provider is not null then 'irsa'
            when j.node_role_session or j.subject_type = 'instance' then 'node-role'
            when j.access_key_id like 'AKIA%' or j.subject_type = 'iam-user' or j.principal_type = 'IAMUser' then 'static-key'
            when regexp_matches(coalesce(j.session_name, ''), '^eks-.+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then 'pod-identity'
            else 'source-ip'
        end as path,
        -- the pod a Pod Identity credential was issued to (the AssumeRole itself carries the tag)
        coalesce(j.tag_pod_uid, j.subject_pod_uid) as pi_pod_uid,
        -- service account: the session's subject, the web identity call's own, else the one
        -- service account the role serves (a key issued before the window)
        coalesce(
            j.subject_namespace,
            case when j.web_identity_subject like 'system:serviceaccount:%' then split_part(j.web_identity_subject, ':', 3) end,
            j.role_namespace
        ) as sa_namespace,
        coalesce(
            j.subject_service_account,
            case when j.web_identity_subject like 'system:serviceaccount:%' then split_part(j.web_identity_subject, ':', 4) end,
            j.role_service_account
        ) as sa_name,
        j.aws_invoked and j.tag_pod_uid is null
            and not (coalesce(j.invoked_by, j.source_ip) = 'pods.eks.amazonaws.com' and j.subject_type = 'pod') as inherits,
        st.tolerance_seconds,
        j.ts - to_seconds(st.tolerance_seconds + 1.5) as window_from,
        j.ts + to_seconds(st.tolerance_seconds + 1.0) as window_to
    from joined as j
    cross join settings as st
)

select * from final
