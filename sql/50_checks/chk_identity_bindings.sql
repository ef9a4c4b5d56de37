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
-- The accounts and their binding come from chk__identity_accounts; here, what the trust policies
-- say of each binding, and the findings.
create or replace view chk_identity_bindings as

with

range as (
    select * from chk__range
),

accounts as (
    select * from chk__identity_accounts
),

trust as (
    -- one row per principal and subject pattern (NULL: any subject), IAM wildcards as LIKE's
    select role_arn, principal_kind, principal, replace(replace(subject, '*', '%'), '?', '_') as subject_like
    from (select *, unnest(coalesce(subjects, [null::VARCHAR])) as subject from int_cloud__role_trust)
),

collected_roles as (
    select distinct role_arn from aws_iam_roles
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
