-- Which Kubernetes service account a cloud role serves, from the evidence: the IRSA annotation of
-- service accounts (eks.amazonaws.com/role-arn), IRSA web identity calls (role -> subject), and
-- Pod Identity AssumeRole calls (role -> namespace/service-account tags). A role that serves
-- exactly one service account lets a call whose key was issued before the window still name it.
create or replace view int_cloud__role_subjects as

with

annotations as (
    select distinct irsa_role_arn as role_arn, namespace, name as service_account, 'sa-annotation' as via
    from k8s_service_accounts
    where irsa_role_arn is not null
),

web_identity as (
    select distinct
        e.issued_role_arn as role_arn,
        split_part(e.web_identity_subject, ':', 3) as namespace,
        split_part(e.web_identity_subject, ':', 4) as service_account,
        'web-identity-call' as via
    from cloud_events as e
    where e.event_name = 'AssumeRoleWithWebIdentity' and e.web_identity_subject like 'system:serviceaccount:%'
        and e.issued_role_arn is not null
),

pod_identity as (
    select distinct
        e.issued_role_arn as role_arn,
        e.session_tags['kubernetes-namespace'] as namespace,
        e.session_tags['kubernetes-service-account'] as service_account,
        'pod-identity-tags' as via
    from cloud_events as e
    where e.session_tags['kubernetes-service-account'] is not null and e.issued_role_arn is not null
),

unioned as (
    select * from annotations
    union all
    select * from web_identity
    union all
    select * from pod_identity
),

final as (
    select
        role_arn,
        min(namespace) as namespace,
        min(service_account) as service_account,
        count(distinct namespace || '/' || service_account) as service_accounts,
        list_sort(list_distinct(list(via))) as via
    from unioned
    group by role_arn
)

select * from final
