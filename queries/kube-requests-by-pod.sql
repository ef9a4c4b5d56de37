-- name: kube-requests-by-pod
-- description: Kubernetes API requests made with one pod's bound service-account token, on the pod or off it, with the token issuance behind each.
-- params: $pod_uid varchar

with

requests as (
    select * from kube_attributions where pod_uid = $pod_uid
),

outcomes as (
    select row_id, response_code, decision, user_agent from kube_audit_events
),

final as (
    select
        r.ts,
        r.audit_id,
        r.user_name,
        r.credential_id,
        r.token_issued_at,
        r.verb,
        r.resource,
        r.subresource,
        r.namespace,
        r.name,
        r.source_ip,
        r.pod_ips,
        r.off_pod,
        r.confidence,
        o.response_code,
        o.decision,
        o.user_agent,
        r.row_id,
        r.token_issued_row_id
    from requests as r
    left join outcomes as o on o.row_id = r.row_id
)

select * from final
order by ts, audit_id
