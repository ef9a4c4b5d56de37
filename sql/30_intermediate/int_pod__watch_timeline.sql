-- What the pod watch says happened to each pod, one row per moment, each labelled for what it is
-- and how precise: created (creationTimestamp, server clock, 1 s), phase:<Pending|Running|...> (the
-- receive time of the first event showing that phase, collector clock), deletion-requested
-- (deletionTimestamp minus the grace period, server clock, 1 s), deleted (receive time of DELETED).
create or replace view int_pod__watch_timeline as

with

events as (
    select *
    from k8s_pod_events
    where uid is not null
        and event_type in ('ADDED', 'MODIFIED', 'DELETED')
),

phases as (
    select uid, phase, received_at, row_id,
        lag(phase) over (partition by uid order by received_at, row_id) as previous_phase
    from events
),

moments as (
    select uid as pod_uid, min(created_at) as happened_at, 'created' as what, 'server clock, 1 s' as precision, arg_min(row_id, received_at) as row_id
    from events where created_at is not null group by uid
    union all
    select uid, received_at, 'phase:' || phase, 'receive time, collector clock', row_id
    from phases where phase is not null and phase is distinct from previous_phase
    union all
    select uid, min(deletion_requested_at), 'deletion-requested', 'server clock, 1 s', arg_min(row_id, received_at)
    from events where deletion_requested_at is not null group by uid
    union all
    select uid, received_at, 'deleted', 'receive time, collector clock', row_id
    from events where event_type = 'DELETED'
),

final as (
    select pod_uid, happened_at, what, precision, row_id
    from moments
)

select * from final
order by pod_uid, happened_at, row_id, what = 'deleted', what
