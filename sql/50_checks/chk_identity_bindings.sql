-- Check 4, identity-binding completeness: for every service account with pods in scope, its
-- binding path (IRSA role annotation, Pod Identity seen in cloud evidence, Azure or GCP workload
-- identity annotation, or none: the node role is reachable through IMDS) and whether cloud evidence
-- for that path is present; Pod Identity sessions issued without their session tags; IRSA and Pod
-- Identity service accounts shared by several pods at once (without runtime evidence, attribution
-- between them can only be ambiguous). With the AWS inventory collected (or ingested): the Pod
-- Identity associations name the binding before any session is seen (and say when session tags
-- are disabled), and the roles' trust policies say whether the binding can work at all (a role
-- whose trust does not let the service account assume it is a gap). An account with both an IRSA
-- annotation and Pod Identity sessions is reported as both, with each role (each call follows the
-- credential it used); an account on the node role shows as cloud evidence the node-role calls
-- attributed to its pods.
create or replace view chk_identity_bindings as

with

range as (
    select * from chk__range
),

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

trust as (
    -- one row per principal and subject pattern (NULL: any subject), IAM wildcards as LIKE's
    select role_arn, principal_kind, principal, replace(replace(subject, '*', '%'), '?', '_') as subject_like
    from (select *, unnest(coalesce(subjects, [null::VARCHAR])) as subject from int_cloud__role_trust)
),

collected_roles as (
    select distinct role_arn from aws_iam_roles
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

accounts as (
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
),

-- what the collected trust policies say of each account's binding (NULL: the role was not collected)
trusted as (
    select
        a.*,
        coalesce(case a.binding when 'irsa' then a.irsa_role_arn when 'pod-identity' then coalesce(a.pod_identity_role_arn, a.association_role_arn) end, '') as bound_role_arn,
        case
            when a.binding = 'irsa' and a.irsa_role_arn in (select role_arn from collected_roles) then exists (
                select 1 from trust as t
                where t.role_arn = a.irsa_role_arn and t.principal_kind = 'oidc'
                    and (t.subject_like is null or ('system:serviceaccount:' || a.namespace || ':' || a.service_account) like t.subject_like)
            )
            when a.binding = 'pod-identity' and coalesce(a.pod_identity_role_arn, a.association_role_arn) in (select role_arn from collected_roles) then exists (
                select 1 from trust as t
                where t.role_arn = coalesce(a.pod_identity_role_arn, a.association_role_arn) and t.principal_kind = 'service' and t.principal = 'pods.eks.amazonaws.com'
            )
        end as trust_allows
    from accounts as a
),

account_findings as (
    select
        'identity-bindings' as check_id,
        case
            when trust_allows = false then 'binding-untrusted'
            when binding = 'pod-identity' and disable_session_tags then 'pod-identity-untagged'
            when binding in ('irsa', 'pod-identity', 'irsa+pod-identity') and max_concurrent > 1 then 'shared-binding'
            else 'binding-' || binding
        end as kind,
        'identity-bindings:' || namespace || ':' || service_account as finding_id,
        case when (binding in ('irsa', 'pod-identity', 'irsa+pod-identity') and max_concurrent > 1) or trust_allows = false or (binding = 'pod-identity' and disable_session_tags) then 'gap' else 'ok' end as status,
        'inventory' as source,
        null::VARCHAR as node_name,
        null::VARCHAR as region,
        r.window_from as interval_from,
        r.window_to as interval_to,
        0.0 as seconds,
        max_concurrent::DOUBLE as value,
        case
            when association_id is null and trust_allows is null then to_json({
                'namespace': namespace, 'service_account': service_account, 'binding': binding,
                'role_arn': coalesce(irsa_role_arn, pod_identity_role_arn), 'irsa_role_arn': irsa_role_arn, 'pod_identity_role_arn': pod_identity_role_arn,
                'cloud_evidence': coalesce(pod_identity_sessions, 0) + irsa_evidence + node_role_calls > 0,
                'node_role_calls': node_role_calls,
                'max_concurrent_pods': max_concurrent
            })
            else to_json({
                'namespace': namespace, 'service_account': service_account, 'binding': binding,
                'role_arn': coalesce(irsa_role_arn, pod_identity_role_arn, association_role_arn), 'irsa_role_arn': irsa_role_arn, 'pod_identity_role_arn': pod_identity_role_arn,
                'cloud_evidence': coalesce(pod_identity_sessions, 0) + irsa_evidence + node_role_calls > 0,
                'node_role_calls': node_role_calls,
                'max_concurrent_pods': max_concurrent,
                'association_id': association_id, 'target_role_arn': target_role_arn, 'disable_session_tags': disable_session_tags, 'trust_allows': trust_allows
            })
        end as detail,
        namespace || ':' || service_account || ' -> ' ||
            case binding
                when 'irsa' then 'IRSA role ' || irsa_role_arn
                when 'pod-identity' then 'EKS Pod Identity role ' || coalesce(pod_identity_role_arn, association_role_arn, '?')
                    || coalesce(' (association ' || association_id || coalesce(', chained to ' || target_role_arn, '') || ')', '')
                when 'irsa+pod-identity' then 'IRSA role ' || irsa_role_arn || ' and EKS Pod Identity role ' || coalesce(pod_identity_role_arn, association_role_arn, '?')
                    || ' (each call follows the credential it used)'
                when 'azure-workload-identity' then 'Azure workload identity ' || azure_client_id
                when 'gke-workload-identity' then 'GKE workload identity ' || gcp_service_account
                else 'no workload identity binding: its pods reach the node role through IMDS'
            end
            || case when binding in ('irsa', 'pod-identity') and coalesce(pod_identity_sessions, 0) + irsa_evidence = 0 then '; no cloud evidence of its use in the window' else '' end
            || case when binding = 'node-role' and node_role_calls > 0 then '; ' || pt_count(node_role_calls, 'node-role call', 'node-role calls') || ' attributed to its pods' else '' end
            || case when binding in ('irsa', 'pod-identity', 'irsa+pod-identity') and max_concurrent > 1
                then '; shared by up to ' || max_concurrent || ' pods at once: without runtime evidence its calls can only be ambiguous' else '' end
            || case when trust_allows = false then '; the role''s trust policy does not let this service account assume it' else '' end
            || case when binding = 'pod-identity' and disable_session_tags then '; its association disables session tags: no kubernetes-pod-uid tag, its calls cannot be proven to a pod' else '' end as message
    from trusted
    cross join range as r
),

untagged as (
    select event_id, ts, issued_role_arn
    from cloud_events
    where invoked_by = 'pods.eks.amazonaws.com' and event_name = 'AssumeRole' and session_tags['kubernetes-pod-uid'] is null
),

untagged_findings as (
    select
        'identity-bindings', 'pod-identity-tags-disabled', 'identity-bindings:untagged:' || event_id, 'gap', 'cloudtrail', null, null,
        ts, ts, 0.0, 0.0, to_json({'event_id': event_id, 'role_arn': issued_role_arn}),
        'Pod Identity session ' || event_id || ' for ' || coalesce(issued_role_arn, '?') || ' carries no kubernetes-pod-uid tag (session tags disabled): its calls cannot be proven to a pod'
    from untagged
),

final as (
    select * from account_findings
    union all
    select * from untagged_findings
)

select * from final
