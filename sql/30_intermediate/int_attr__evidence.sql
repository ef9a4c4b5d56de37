-- Runtime evidence for each candidate of each call (attribution, step 3): the candidate's connects
-- to an endpoint serving the call's service inside the call's window (reference clock); its
-- connects to that service in the 120 s before the window (a kept-alive connection: SDKs reuse a
-- connection until the endpoint closes it, 60 s idle on AWS endpoints, so a call with no connect of
-- its own rides on one opened shortly before); and whether the candidate's node was observable
-- then (a missing connect only counts when it was).
create or replace view int_attr__evidence as

with

events as (
    select event_id, ts, event_source, window_from, window_to from int_attr__events
),

candidates as (
    select * from int_attr__candidates where ip_relation <> 'none'
),

connects as (
    select * from int_runtime__connects_resolved where pod_uid is not null
),

coverage as (
    select * from int_runtime__node_coverage
),

event_buckets as (
    select e.*, unnest(range((epoch(window_from)::BIGINT - 120) // 10, epoch(window_to)::BIGINT // 10 + 1)) as bucket
    from events as e
),

matched as (
    select distinct
        b.event_id,
        r.pod_uid,
        r.row_id,
        r.offset_seconds,
        r.ref_ts::TIMESTAMP >= b.window_from as in_window
    from event_buckets as b
    inner join connects as r
        on r.bucket = b.bucket
        and r.service = b.event_source
        and r.ref_ts::TIMESTAMP between b.window_from - interval 120 seconds and b.window_to
),

per_candidate as (
    select
        c.event_id,
        c.pod_uid,
        list_sort(list(m.row_id) filter (where m.row_id is not null and m.in_window)) as connect_row_ids,
        list_sort(list(m.row_id) filter (where m.row_id is not null and not m.in_window)) as recent_row_ids,
        max(m.offset_seconds) as offset_seconds
    from candidates as c
    left join matched as m on m.event_id = c.event_id and m.pod_uid = c.pod_uid
    group by c.event_id, c.pod_uid
),

final as (
    select
        p.*,
        len(p.connect_row_ids) > 0 as has_connect,
        len(p.recent_row_ids) > 0 as has_recent,
        exists (
            select 1 from coverage as v
            where v.node_name = c.node_name
                and v.minute between date_trunc('minute', e.ts) - interval 5 minutes and date_trunc('minute', e.ts) + interval 5 minutes
        ) as observable
    from per_candidate as p
    inner join candidates as c on c.event_id = p.event_id and c.pod_uid = p.pod_uid
    inner join events as e on e.event_id = p.event_id
)

select * from final
