-- int_pod__inventory_intervals: the intervals inventory snapshots show, one row per pod UID and run
-- of snapshots with the same set of image digests (a new interval when that set changes), with the
-- attributes of its last snapshot and the rows of its first and last.
create or replace view int_pod__inventory_intervals as

with

snapshots as (
    select
        *,
        list_sort(list_distinct(image_digests))::VARCHAR as digest_key
    from k8s_pods
    where uid is not null
),

islands as (
    select
        *,
        sum(case when digest_key is distinct from prev_key then 1 else 0 end)
            over (partition by uid order by snapshot_at rows unbounded preceding) as interval_no
    from (
        select *, lag(digest_key) over (partition by uid order by snapshot_at) as prev_key
        from snapshots
    )
),

final as (
    select
        uid as pod_uid,
        interval_no::INTEGER as interval_no,
        arg_max(namespace, snapshot_at) as namespace,
        arg_max(name, snapshot_at) as name,
        arg_max(node_name, snapshot_at) as node_name,
        arg_max(service_account, snapshot_at) as service_account,
        list_sort(list_distinct(flatten(list(pod_ips)))) as pod_ips,
        bool_or(host_network) as host_network,
        list_sort(list_distinct(flatten(list(container_ids)))) as container_ids,
        list_sort(list_distinct(flatten(list(image_digests)))) as image_digests,
        arg_max(owner_kind, snapshot_at) as owner_kind,
        arg_max(owner_name, snapshot_at) as owner_name,
        min(created_at) as created_at,
        min(deleted_at) as deleted_at,
        min(snapshot_at) as first_snapshot_at,
        max(snapshot_at) as last_snapshot_at,
        arg_min(row_id, snapshot_at) as first_snapshot_row_id,
        arg_max(row_id, snapshot_at) as last_snapshot_row_id,
        max(interval_no) over (partition by uid) as last_interval_no
    from islands
    group by uid, interval_no
)

select * from final
