-- name: role-assumptions
-- description: Role assumptions (AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, AssumeRoleForPodIdentity) between $from and $to, default the case window: role, session, issued key, caller and the pod behind it.
-- params: $from timestamp = null, $to timestamp = null
--
-- tag_pod_uid / tag_namespace / tag_service_account are the EKS Pod Identity session tags;
-- web_identity_subject is the IRSA service account; pod_uid is the attribution of the call.

with

settings as (
    select
        coalesce($from::TIMESTAMP, window_from) as from_at,
        coalesce($to::TIMESTAMP, window_to) as to_at
    from case_settings
),

assumptions as (
    select e.*
    from cloud_events as e, settings as s
    where e.event_name in ('AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML', 'AssumeRoleForPodIdentity')
        and e.ts >= s.from_at
        and e.ts <= s.to_at
),

attributions as (
    select event_id, pod_uid, pod_namespace, pod_name, confidence, rule_id from attributions
),

final as (
    select
        e.ts,
        e.event_id,
        e.event_source,
        e.event_name,
        e.error_code,
        e.issued_role_arn as role_arn,
        e.issued_session_name as session_name,
        e.issued_access_key_id,
        e.issued_expires_at,
        e.principal_type as caller_type,
        e.principal_arn as caller_arn,
        e.invoked_by,
        e.source_ip,
        e.web_identity_subject,
        e.session_tags['kubernetes-pod-uid'] as tag_pod_uid,
        e.session_tags['kubernetes-namespace'] as tag_namespace,
        e.session_tags['kubernetes-service-account'] as tag_service_account,
        a.pod_uid,
        a.pod_namespace,
        a.pod_name,
        a.confidence,
        a.rule_id
    from assumptions as e
    left join attributions as a on a.event_id = e.event_id
)

select * from final
order by ts, event_id
