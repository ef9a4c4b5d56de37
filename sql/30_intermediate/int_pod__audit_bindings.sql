-- int_pod__audit_bindings: per pod namespace and name, the node the scheduler first bound it to.
create or replace view int_pod__audit_bindings as

with

final as (
    -- the scheduler's binding of a pod to its node (pods/binding), the first that succeeded
    select namespace, name, arg_min(pod_node_name, request_received_at) as node_name, arg_min(row_id, request_received_at) as row_id
    from kube_audit_events
    where verb = 'create' and resource = 'pods' and subresource = 'binding' and is_final_stage
        and coalesce(response_code, 201) between 200 and 299 and pod_node_name is not null
    group by namespace, name
)

select * from final
