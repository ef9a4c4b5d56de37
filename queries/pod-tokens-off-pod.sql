-- name: pod-tokens-off-pod
-- description: Kubernetes API requests made with a pod-bound service-account token from an address the pod did not have: the token was used off the pod.
-- params: none
--
-- From kube_attributions (off_pod = true), with the request's outcome from kube_audit_events.

with

requests as (
    select * from kube_attributions where off_pod
),

outcomes as (
    select row_id, response_code, decision, user_agent from kube_audit_events
),

final as (
    select
        r.ts,
        r.audit_id,
        r.pod_uid,
        r.pod_name,
        r.node_name,
        r.user_name,
        r.credential_id,
        r.token_issued_at,
        r.source_ip,
        r.pod_ips,
        r.verb,
        r.resource,
        r.subresource,
        r.namespace,
        r.name,
        o.response_code,
        o.decision,
        o.user_agent,
        r.confidence,
        r.row_id
    from requests as r
    left join outcomes as o on o.row_id = r.row_id
)

select * from final
order by ts, audit_id
