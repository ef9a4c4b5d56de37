-- int_pod__audit_deletes: the Kubernetes API's pod deletions that succeeded (final stage), one row
-- per request.
create or replace view int_pod__audit_deletes as

with

final as (
    select namespace, name, object_uid, request_received_at as event_at, row_id
    from kube_audit_events
    where verb = 'delete' and resource = 'pods' and subresource is null and is_final_stage
        and coalesce(response_code, 200) between 200 and 299
)

select * from final
