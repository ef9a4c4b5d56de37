-- int_pod__audit_creates: the Kubernetes API's pod creations that succeeded (final stage), one row
-- per request, with the UID, service account and node the request or its response names.
create or replace view int_pod__audit_creates as

with

final as (
    -- a controller's pod (generateName) is named by the response; its service account is the
    -- request's or the response's spec.serviceAccountName
    select namespace, name, object_uid, request_received_at as event_at, row_id, pod_service_account, pod_node_name
    from kube_audit_events
    where verb = 'create' and resource = 'pods' and subresource is null and is_final_stage
        and coalesce(response_code, 201) between 200 and 299
)

select * from final
