-- int_attr__pod_tags: the pod a Pod Identity credential names in its session tags
-- (kubernetes-pod-uid, -namespace, -pod-name, -service-account), per call: on the issuing
-- AssumeRole itself, or on the call that issued the key this call used; names the pod when no
-- snapshot or audit event shows it.
create or replace view int_attr__pod_tags as

with

final as (
    select
        c.event_id,
        coalesce(c.tag_pod_uid, i.tag_pod_uid) as pod_uid,
        coalesce(c.tag_namespace, i.tag_namespace) as namespace,
        coalesce(c.tag_pod_name, i.tag_pod_name) as name,
        coalesce(c.tag_service_account, i.tag_service_account) as service_account
    from int_cloud__calls as c
    left join credential_sessions as s on s.access_key_id = c.access_key_id
    left join int_cloud__calls as i on i.event_id = s.issuing_event_id
    where coalesce(c.tag_pod_uid, i.tag_pod_uid) is not null
)

select * from final
