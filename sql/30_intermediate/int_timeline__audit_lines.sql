-- int_timeline__audit_lines: the final stage of each Kubernetes API request (kube_audit_events) as
-- a timeline line's columns, before its JSON (mart_timeline writes that).
create or replace view int_timeline__audit_lines as

with

final as (
    select
        row_id,
        'kube-audit' as source,
        request_received_at::TIMESTAMP_NS as ts,
        audit_id,
        stage,
        verb,
        resource,
        subresource,
        namespace,
        name,
        user_name,
        impersonated_user,
        user_extra_pod_uid,
        source_ips,
        user_agent,
        response_code,
        decision,
        exec_command,
        exec_container
    from kube_audit_events
    where is_final_stage
)

select * from final
