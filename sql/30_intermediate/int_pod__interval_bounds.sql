-- int_pod__interval_bounds: each pod interval with every piece of evidence that can bound it: the
-- create and delete requests that match it, its runtime first/last sightings, the pod watch's
-- created and DELETED times, the first snapshot without it, the next interval's start, and the
-- first snapshot of a terminal phase.
create or replace view int_pod__interval_bounds as

with

snapshot_instants as (
    select distinct snapshot_at from k8s_pods
),

terminated as (
    -- pods whose last snapshot shows a terminal phase: the first snapshot of that phase bounds the end
    select
        uid as pod_uid,
        min(snapshot_at) filter (where phase in ('Succeeded', 'Failed')) as terminated_at,
        arg_min(row_id, snapshot_at) filter (where phase in ('Succeeded', 'Failed')) as terminated_row_id
    from k8s_pods
    where uid is not null
    group by uid
    having arg_max(phase, snapshot_at) in ('Succeeded', 'Failed')
),

audit_creates as (
    select * from int_pod__audit_creates
),

audit_deletes as (
    select * from int_pod__audit_deletes
),

runtime_span as (
    select * from int_pod__runtime_span
),

-- the pod watch (podtrail collect k8s --watch): bounds for every pod it saw, attributes for pods
-- no snapshot holds (created and gone between two snapshots)
watch_span as (
    select * from int_pod__watch_span
),

all_intervals as (
    select * from int_pod__intervals
),

first_sightings as (
    select
        i.pod_uid,
        i.interval_no,
        coalesce(i.first_snapshot_at, rs.first_seen_at::TIMESTAMP) as first_known_at,
        coalesce(i.last_snapshot_at, i.created_at, rs.first_seen_at::TIMESTAMP) as last_known_at
    from all_intervals as i
    left join runtime_span as rs on rs.pod_uid = i.pod_uid
),

create_match as (
    -- the create request of the pod: by UID, else the last create of its namespace/name before it was first seen
    select pod_uid, event_at, row_id
    from (
        select
            i.pod_uid,
            c.event_at,
            c.row_id,
            row_number() over (
                partition by i.pod_uid
                order by (c.object_uid is not distinct from i.pod_uid) desc, c.event_at desc, c.row_id
            ) as rn
        from all_intervals as i
        inner join first_sightings as f on f.pod_uid = i.pod_uid and f.interval_no = i.interval_no
        inner join audit_creates as c
            on c.object_uid = i.pod_uid
            or (c.object_uid is null and c.namespace = i.namespace and c.name = i.name and c.event_at <= f.first_known_at)
        where i.interval_no = 1
    )
    where rn = 1
),

delete_match as (
    -- the first delete request of the pod after it was last known to exist
    select pod_uid, event_at, row_id
    from (
        select
            i.pod_uid,
            d.event_at,
            d.row_id,
            row_number() over (partition by i.pod_uid order by d.event_at, d.row_id) as rn
        from all_intervals as i
        inner join first_sightings as f on f.pod_uid = i.pod_uid and f.interval_no = i.interval_no
        inner join audit_deletes as d
            on (d.object_uid = i.pod_uid or (d.object_uid is null and d.namespace = i.namespace and d.name = i.name))
            and d.event_at >= f.last_known_at
        where i.interval_no = i.last_interval_no
    )
    where rn = 1
),

final as (
    select
        i.*,
        ac.event_at as audit_created_at,
        ac.row_id as audit_create_row_id,
        rs.first_seen_at::TIMESTAMP as runtime_first_at,
        rs.first_row_id as runtime_first_row_id,
        rs.last_seen_at::TIMESTAMP as runtime_last_at,
        rs.last_row_id as runtime_last_row_id,
        ad.event_at as audit_deleted_at,
        ad.row_id as audit_delete_row_id,
        (select min(s.snapshot_at) from snapshot_instants as s where s.snapshot_at > i.last_snapshot_at) as first_absent_at,
        lead(i.first_snapshot_at) over (partition by i.pod_uid order by i.interval_no) as next_interval_from,
        lead(i.first_snapshot_row_id) over (partition by i.pod_uid order by i.interval_no) as next_interval_row_id,
        case when i.interval_no = 1 then ws.created_at end as watch_created_at,
        ws.created_row_id as watch_created_row_id,
        case when i.interval_no = i.last_interval_no then ws.deleted_at end as watch_deleted_at,
        ws.deleted_row_id as watch_deleted_row_id,
        tm.terminated_at,
        tm.terminated_row_id
    from all_intervals as i
    left join terminated as tm on tm.pod_uid = i.pod_uid and i.interval_no = i.last_interval_no
    left join runtime_span as rs on rs.pod_uid = i.pod_uid
    left join watch_span as ws on ws.pod_uid = i.pod_uid
    left join create_match as ac on ac.pod_uid = i.pod_uid and i.interval_no = 1
    left join delete_match as ad on ad.pod_uid = i.pod_uid and i.interval_no = i.last_interval_no
)

select * from final
