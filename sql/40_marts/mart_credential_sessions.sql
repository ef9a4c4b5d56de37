-- credential_sessions, in its documented column order and a total order.
create or replace view mart_credential_sessions as

with

sessions as (
    select * from int_cloud__sessions
),

final as (
    select
        access_key_id, issuing_event_id, issuing_event_name, issued_at, expires_at, role_arn, session_arn,
        session_name, subject_type, subject, subject_pod_uid, subject_namespace, subject_service_account,
        subject_instance_id, subject_node_name, parent_access_key_id, issuing_source_ip, principal_arn,
        calls, first_used_at, last_used_at, resolution
    from sessions
)

select * from final
order by access_key_id
