-- int_attr__connect_evidence: each candidate's own connects for each call (the columns as the
-- evidence view describes them): to an endpoint serving the call's service in the window
-- (connect_row_ids) or the 120 s before it (recent_row_ids), to an address in AWS's ranges whose
-- code allows the service (range_row_ids), whether one of each is uncontested (*_decisive), and
-- whether it connected to any AWS address in the window (aws_any). A known relay's outbound
-- connects that followed a client's connect to it are the client's, not its own. A connect whose
-- every opener (the calls logged in the 1.5 s after it, by a key its pod may hold) used another key
-- than the call's is not the call's; one whose openers hold two keys or more is contested.
create or replace view int_attr__connect_evidence as

with

events as (
    select event_id, ts, event_source, access_key_id, window_from, window_to from int_attr__events
),

candidates as (
    select * from int_attr__candidates
),

relays as (
    select * from int_runtime__relays where is_relay
),

relayed_outbound as (
    -- a known relay's outbound connect that followed a client's connect to it is the client's
    select distinct h.out_row_id
    from int_runtime__relay_hops as h
    inner join relays as r on r.relay_ip = h.relay_ip and r.relay_pod_uid is not distinct from h.relay_pod_uid
    where h.front <> 'opaque' and h.tight
),

connects as (
    select c.*
    from int_runtime__connects_resolved as c
    where c.pod_uid is not null and (c.service is not null or c.aws_service is not null)
        and not exists (select 1 from relayed_outbound as o where o.out_row_id = c.row_id)
),

event_buckets as (
    select e.*, unnest(range((epoch(window_from)::BIGINT - 120) // 10, epoch(window_to)::BIGINT // 10 + 1)) as bucket
    from events as e
),

matched_all as (
    select distinct
        b.event_id,
        b.ts,
        b.access_key_id,
        r.pod_uid,
        r.row_id,
        r.ref_ts::TIMESTAMP as ref_ts,
        r.offset_seconds,
        r.ref_ts::TIMESTAMP >= b.window_from as in_window,
        r.service is null as via_range
    from event_buckets as b
    inner join connects as r
        on r.bucket = b.bucket
        and (r.service = b.event_source or (r.service is null and r.aws_service in ('aws', b.event_source)))
        and r.ref_ts::TIMESTAMP between b.window_from - interval 120 seconds and b.window_to
),

aws_any as (
    -- candidates that connected to any AWS address in the window: an endpoint of any service, or
    -- an address in AWS's ranges
    select distinct b.event_id, r.pod_uid
    from event_buckets as b
    inner join connects as r
        on r.bucket = b.bucket
        and r.ref_ts::TIMESTAMP between b.window_from and b.window_to
),

openers as (
    -- the calls each connect may have opened its connection for, by a key its pod may hold
    select m.row_id, m.event_id, m.access_key_id
    from matched_all as m
    inner join candidates as c on c.event_id = m.event_id and c.pod_uid = m.pod_uid
    where m.ts between date_trunc('second', m.ref_ts) and m.ref_ts + interval 1500 milliseconds
),

opener_keys as (
    select row_id, count(distinct access_key_id) as keys, list(distinct access_key_id) filter (where access_key_id is not null) as key_list,
        bool_or(access_key_id is null) as any_null
    from openers
    group by row_id
),

matched as (
    select m.*, coalesce(k.keys, 0) > 1 as contested
    from matched_all as m
    left join opener_keys as k on k.row_id = m.row_id
    where k.row_id is null
        or k.any_null
        or list_contains(k.key_list, m.access_key_id)
        or exists (select 1 from openers as o where o.row_id = m.row_id and o.event_id = m.event_id)
),

per_candidate as (
    select
        c.event_id,
        c.pod_uid,
        coalesce(list_sort(list(m.row_id) filter (where m.row_id is not null and m.in_window and not m.via_range)), []::VARCHAR[]) as connect_row_ids,
        coalesce(list_sort(list(m.row_id) filter (where m.row_id is not null and not m.in_window and not m.via_range)), []::VARCHAR[]) as recent_row_ids,
        coalesce(list_sort(list(m.row_id) filter (where m.row_id is not null and m.in_window and m.via_range)), []::VARCHAR[]) as range_row_ids,
        coalesce(bool_or(m.in_window and not m.contested and not m.via_range), false) as direct_decisive,
        coalesce(bool_or(not m.in_window and not m.contested and not m.via_range), false) as direct_recent_decisive,
        coalesce(bool_or(m.in_window and not m.contested and m.via_range), false) as range_decisive,
        max(m.offset_seconds) as offset_seconds
    from candidates as c
    left join matched as m on m.event_id = c.event_id and m.pod_uid = c.pod_uid
    group by c.event_id, c.pod_uid
),

final as (
    select
        p.*,
        aa.pod_uid is not null as aws_any
    from per_candidate as p
    left join aws_any as aa on aa.event_id = p.event_id and aa.pod_uid = p.pod_uid
)

select * from final
