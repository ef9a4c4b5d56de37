-- Each cloud call with its credential session and the path it took (attribution, step 1).
-- path: pod-identity (session tag, or a Pod Identity session name), irsa (web identity), node-role
-- (instance-id session), static-key (long-term key or IAM user), else source-ip.
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

joined as (
    select
        c.*,
        s.subject_type,
        s.subject_pod_uid,
        s.subject_namespace,
        s.subject_service_account,
        s.subject_node_name,
        s.issuing_event_id,
        e.web_identity_provider,
        r.namespace as role_namespace,
        r.service_account as role_service_account
    from calls as c
    left join sessions as s on s.access_key_id = c.access_key_id
    left join cloud_events as e on e.event_id = c.event_id
    left join role_subjects as r on r.role_arn = c.session_issuer_arn
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
        j.aws_invoked and j.tag_pod_uid is null as inherits,
        st.tolerance_seconds,
        j.ts - to_seconds(st.tolerance_seconds + 1.5) as window_from,
        j.ts + to_seconds(st.tolerance_seconds + 1.0) as window_to
    from joined as j
    cross join settings as st
)

select * from final
