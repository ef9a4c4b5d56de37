-- Pod lifecycle: one row per pod UID and validity interval (the logic behind pod_lifecycle).
-- Sources: inventory snapshots (attributes, creation and deletion timestamps, presence), audit
-- pod create/delete requests, runtime first/last sightings, and the pod watch of a live collection
-- (int_pod__watch_span: creationTimestamp, and the DELETED event's receive time for "gone"). A UID gets a new interval when the
-- set of image digests its snapshots show changes. Bounds take the earliest start and the best
-- end evidence; when the end is only known to lie between two snapshots the interval runs to the
-- first snapshot without the pod (a wider interval costs ambiguity, never a wrong answer). A pod
-- whose last snapshot shows it Succeeded or Failed ends at the first snapshot showing that (or at
-- its delete, when earlier): its containers had stopped by then.
-- The steps: int_pod__inventory_intervals and int_pod__intervals (the intervals), then
-- int_pod__interval_bounds (their bound evidence); this view chooses each bound and names it.
create or replace view int_pod__lifecycle as

with

bounded as (
    select * from int_pod__interval_bounds
),

final as (
    select
        pod_uid,
        interval_no,
        namespace,
        name,
        node_name,
        service_account,
        pod_ips,
        host_network,
        container_ids,
        image_digests,
        owner_kind,
        owner_name,
        case
            when interval_no > 1 then first_snapshot_at
            else least(created_at, audit_created_at, runtime_first_at, first_snapshot_at, watch_created_at)
        end as valid_from,
        case
            when interval_no < last_interval_no then next_interval_from
            -- terminated before any delete: runtime sightings up to 120 s later still extend it
            when terminated_at is not null and terminated_at <= coalesce(watch_deleted_at, audit_deleted_at, deleted_at, terminated_at) then
                case
                    when runtime_last_at is null then terminated_at
                    else greatest(terminated_at, least(runtime_last_at, terminated_at + interval 120 seconds))
                end
            -- gone: the watch's DELETED event (runtime sightings up to 120 s later still extend it)
            when watch_deleted_at is not null then
                case
                    when runtime_last_at is null then watch_deleted_at
                    else greatest(watch_deleted_at, least(runtime_last_at, watch_deleted_at + interval 120 seconds))
                end
            -- deleted: the pod runs on through its grace period; runtime sightings up to 120 s after
            -- the delete extend it (DuckDB's least() ignores a NULL, hence the explicit case)
            when audit_deleted_at is not null or deleted_at is not null then
                case
                    when runtime_last_at is null then coalesce(audit_deleted_at, deleted_at)
                    else greatest(
                        coalesce(audit_deleted_at, deleted_at),
                        least(runtime_last_at, coalesce(audit_deleted_at, deleted_at) + interval 120 seconds)
                    )
                end
            when first_absent_at is not null then first_absent_at
            when last_snapshot_at is null and runtime_last_at is not null then runtime_last_at
        end as valid_to,
        case
            when interval_no > 1 then 'image-change'
            when created_at is not null and created_at <= least(coalesce(audit_created_at, created_at), coalesce(runtime_first_at, created_at)) then 'inventory-created'
            when watch_created_at is not null and watch_created_at <= least(coalesce(audit_created_at, watch_created_at), coalesce(runtime_first_at, watch_created_at)) then 'watch-created'
            when audit_created_at is not null and audit_created_at <= coalesce(runtime_first_at, audit_created_at) then 'audit-create'
            when runtime_first_at is not null and runtime_first_at <= coalesce(first_snapshot_at, runtime_first_at) then 'runtime-first-seen'
            else 'inventory-first-seen'
        end as from_evidence,
        case
            when interval_no < last_interval_no then 'image-change'
            when terminated_at is not null and terminated_at <= coalesce(watch_deleted_at, audit_deleted_at, deleted_at, terminated_at) then
                case when runtime_last_at > terminated_at then 'runtime-last-seen' else 'inventory-terminated' end
            when watch_deleted_at is not null then
                case when runtime_last_at > watch_deleted_at then 'runtime-last-seen' else 'watch-deleted' end
            when audit_deleted_at is not null then
                case when runtime_last_at > audit_deleted_at then 'runtime-last-seen' else 'audit-delete' end
            when deleted_at is not null then 'inventory-deleted'
            when first_absent_at is not null then 'inventory-absent'
            when last_snapshot_at is null and runtime_last_at is not null then 'runtime-last-seen'
            else 'open'
        end as to_evidence,
        case
            when interval_no > 1 then first_snapshot_row_id
            when created_at is not null and created_at <= least(coalesce(audit_created_at, created_at), coalesce(runtime_first_at, created_at)) then first_snapshot_row_id
            when watch_created_at is not null and watch_created_at <= least(coalesce(audit_created_at, watch_created_at), coalesce(runtime_first_at, watch_created_at)) then watch_created_row_id
            when audit_created_at is not null and audit_created_at <= coalesce(runtime_first_at, audit_created_at) then audit_create_row_id
            when runtime_first_at is not null and runtime_first_at <= coalesce(first_snapshot_at, runtime_first_at) then runtime_first_row_id
            else first_snapshot_row_id
        end as from_row_id,
        case
            when interval_no < last_interval_no then next_interval_row_id
            when terminated_at is not null and terminated_at <= coalesce(watch_deleted_at, audit_deleted_at, deleted_at, terminated_at) then
                case when runtime_last_at > terminated_at then runtime_last_row_id else terminated_row_id end
            when watch_deleted_at is not null then
                case when runtime_last_at > watch_deleted_at then runtime_last_row_id else watch_deleted_row_id end
            when audit_deleted_at is not null then
                case when runtime_last_at > audit_deleted_at then runtime_last_row_id else audit_delete_row_id end
            when deleted_at is not null then last_snapshot_row_id
            when first_absent_at is not null then last_snapshot_row_id
            when last_snapshot_at is null and runtime_last_at is not null then runtime_last_row_id
        end as to_row_id
    from bounded
)

select * from final
