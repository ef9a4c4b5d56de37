-- Pods as the pod watch saw them (k8s_pod_events of `podtrail collect k8s --watch`): one row per
-- pod UID, for pod_lifecycle. Each bound says what it is:
--   created_at             metadata.creationTimestamp (the API server's clock, 1 s resolution);
--   deletion_requested_at  deletionTimestamp minus the grace period (when the delete was asked, 1 s);
--   deleted_at             local receive time of the DELETED event: the object is gone (an upper
--                          bound of when, by the collector's clock);
--   first_seen_at, last_seen_at  receive times of the first and last event of the pod.
-- Attributes (namespace, name, node, service account, owner) are the last event's; addresses,
-- container ids and digests every one the events showed.
create or replace view int_pod__watch_span as

with

events as (
    select *
    from k8s_pod_events
    where uid is not null
        and event_type in ('ADDED', 'MODIFIED', 'DELETED')
),

final as (
    select
        -- ids
        uid as pod_uid,
        -- dimensions (the last event's)
        arg_max(namespace, received_at) as namespace,
        arg_max(name, received_at) as name,
        arg_max(node_name, received_at) filter (where node_name is not null) as node_name,
        arg_max(service_account, received_at) as service_account,
        list_sort(list_distinct(flatten(list(pod_ips)))) as pod_ips,
        bool_or(host_network) as host_network,
        list_sort(list_distinct(flatten(list(container_ids)))) as container_ids,
        list_sort(list_distinct(flatten(list(image_digests)))) as image_digests,
        arg_max(owner_kind, received_at) as owner_kind,
        arg_max(owner_name, received_at) as owner_name,
        -- timestamps (UTC)
        min(created_at) as created_at,
        arg_min(row_id, received_at) as created_row_id,
        min(deletion_requested_at) as deletion_requested_at,
        min(received_at) filter (where event_type = 'DELETED') as deleted_at,
        arg_min(row_id, received_at) filter (where event_type = 'DELETED') as deleted_row_id,
        min(received_at) as first_seen_at,
        max(received_at) as last_seen_at
    from events
    group by uid
)

select * from final
