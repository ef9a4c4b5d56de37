-- The service accounts with pods in scope, each with its binding path (irsa, pod-identity,
-- irsa+pod-identity, azure-workload-identity, gke-workload-identity or node-role), the roles and the
-- Pod Identity association that name it, the cloud evidence of its use, and the most pods of it
-- alive at once.
create or replace view chk__identity_accounts as

with

settings as (
    select namespaces from case_settings
),

pods as (
    select * from pod_lifecycle
),

scoped_accounts as (
    select distinct p.namespace, p.service_account
    from pods as p
    cross join settings as s
    where p.service_account is not null and (len(s.namespaces) = 0 or list_contains(s.namespaces, p.namespace))
),

annotations as (
    select namespace, name as service_account, arg_max(irsa_role_arn, snapshot_at) as irsa_role_arn,
        arg_max(azure_client_id, snapshot_at) as azure_client_id, arg_max(gcp_service_account, snapshot_at) as gcp_service_account
    from k8s_service_accounts
    group by namespace, name
),

pod_identity as (
    select session_tags['kubernetes-namespace'] as namespace, session_tags['kubernetes-service-account'] as service_account,
        count(*) as sessions, min(issued_role_arn) as role_arn
    from cloud_events
    where session_tags['kubernetes-service-account'] is not null
    group by all
),

associations as (
    select namespace, service_account, association_id, role_arn as association_role_arn, target_role_arn, disable_session_tags
    from aws_pod_identity_associations
    where described
    qualify snapshot_at = max(snapshot_at) over (partition by association_id)
),

irsa_calls as (
    select split_part(web_identity_subject, ':', 3) as namespace, split_part(web_identity_subject, ':', 4) as service_account, count(*) as calls
    from cloud_events
    where event_name = 'AssumeRoleWithWebIdentity' and web_identity_subject like 'system:serviceaccount:%'
    group by all
),

irsa_role_use as (
    select session_issuer_arn as role_arn, count(*) as calls from cloud_events where session_issuer_arn is not null group by all
),

node_role_use as (
    -- node-role calls attributed (proven or strong) to a pod of the account
    select pod_namespace as namespace, service_account, count(*) as calls
    from attributions
    where path = 'node-role' and confidence in ('proven', 'strong') and pod_uid is not null and service_account is not null
    group by all
),

concurrency as (
    -- most pods of the account alive at the same moment (at any interval start)
    select a.namespace, a.service_account, max(n) as max_concurrent
    from (
        select p.namespace, p.service_account, p.valid_from,
            (select count(*) from pods as q
             where q.namespace = p.namespace and q.service_account = p.service_account
                and q.valid_from <= p.valid_from and (q.valid_to is null or q.valid_to > p.valid_from)) as n
        from pods as p
    ) as a
    group by a.namespace, a.service_account
),

final as (
    select
        s.namespace,
        s.service_account,
        an.irsa_role_arn,
        an.azure_client_id,
        an.gcp_service_account,
        pi.sessions as pod_identity_sessions,
        pi.role_arn as pod_identity_role_arn,
        coalesce(ic.calls, 0) + coalesce(ru.calls, 0) as irsa_evidence,
        coalesce(nr.calls, 0) as node_role_calls,
        coalesce(c.max_concurrent, 0) as max_concurrent,
        pa.association_id,
        pa.association_role_arn,
        pa.target_role_arn,
        pa.disable_session_tags,
        case
            when (pi.sessions is not null or pa.association_id is not null) and an.irsa_role_arn is not null then 'irsa+pod-identity'
            when pi.sessions is not null then 'pod-identity'
            when an.irsa_role_arn is not null then 'irsa'
            when pa.association_id is not null then 'pod-identity'
            when an.azure_client_id is not null then 'azure-workload-identity'
            when an.gcp_service_account is not null then 'gke-workload-identity'
            else 'node-role'
        end as binding
    from scoped_accounts as s
    left join annotations as an on an.namespace = s.namespace and an.service_account = s.service_account
    left join pod_identity as pi on pi.namespace = s.namespace and pi.service_account = s.service_account
    left join irsa_calls as ic on ic.namespace = s.namespace and ic.service_account = s.service_account
    left join irsa_role_use as ru on ru.role_arn = an.irsa_role_arn
    left join concurrency as c on c.namespace = s.namespace and c.service_account = s.service_account
    left join node_role_use as nr on nr.namespace = s.namespace and nr.service_account = s.service_account
    left join associations as pa on pa.namespace = s.namespace and pa.service_account = s.service_account
)

select * from final
