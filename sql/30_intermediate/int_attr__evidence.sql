-- Runtime evidence for each candidate of each call (attribution, step 3):
--   connect_row_ids  its connects to an endpoint serving the call's service inside the call's
--                    window (reference clock), except a known relay's connects that followed a
--                    client's connect to it (those are the client's: chain_* below);
--   recent_row_ids   its connects to that service in the 120 s before the window (a kept-alive
--                    connection: SDKs reuse a connection until the endpoint closes it, 60 s idle on
--                    AWS endpoints, so a call with no connect of its own rides on one opened
--                    shortly before);
--   chain_*          relayed connects (int_attr__relay_chains) whose relay explains the call's
--                    source: hop and outbound row ids, in the window or in the 120 s before it;
--                    chain_positive when the relay is a known relay (int_runtime__relays), the pair
--                    is tight and the relay's outbound went to an endpoint of the call's service,
--                    else the chain only makes the candidate possible;
--   hop_any          it connected, in the window or the 120 s before, to an address that itself
--                    connected out (whether or not that explains this call), or to an address
--                    nobody is known to hold while someone connected out;
--   range_row_ids    its connects in the window to an address in AWS's published ranges that an
--                    endpoint does not name, whose prefix's code allows the call's service (S3 and
--                    DYNAMODB name theirs; the other codes any service): a connect to "an AWS
--                    service" through a NAT;
--   aws_any          it connected in the window to any AWS address (an endpoint of any service, an
--                    address in AWS's ranges);
--   observable       its node's sensor reported within 5 minutes of the call (a missing connect
--                    only counts when it did).
-- A connect opens a connection for the call logged in the 1.5 s after it (eventTime is cut to the
-- second): its openers are those calls (its pod being a candidate of each). When every opener was
-- made with another key than this call's, the connect is those calls' evidence, not this one's:
-- one pod's connect never decides another pod's call that rode on a connection the evidence does
-- not show. When its openers hold two keys or more, it is contested: it keeps its pod a candidate
-- of each, and decides none (*_decisive lists only uncontested rows).
create or replace view int_attr__evidence as

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

chains as (
    select * from int_attr__relay_chains
),

coverage as (
    select * from int_runtime__node_coverage
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

chain_openers as (
    select h.out_row_id, h.event_id, e.access_key_id
    from chains as h
    inner join events as e on e.event_id = h.event_id
    inner join candidates as c on c.event_id = h.event_id and c.pod_uid = h.client_pod_uid
    where h.out_row_id is not null
        and e.ts between date_trunc('second', h.out_ref_ts) and h.out_ref_ts + interval 1500 milliseconds
),

chain_opener_keys as (
    select out_row_id, count(distinct access_key_id) as keys, list(distinct access_key_id) filter (where access_key_id is not null) as key_list,
        bool_or(access_key_id is null) as any_null
    from chain_openers
    group by out_row_id
),

kept_chains as (
    -- relayed connects that may have carried this call (not those that opened a connection only for
    -- calls made with other keys), and whether another key contests them
    select h.*, coalesce(k.keys, 0) > 1 as contested
    from chains as h
    inner join events as e on e.event_id = h.event_id
    left join chain_opener_keys as k on k.out_row_id = h.out_row_id
    where h.out_row_id is null
        or k.out_row_id is null
        or k.any_null
        or list_contains(k.key_list, e.access_key_id)
        or exists (select 1 from chain_openers as o where o.out_row_id = h.out_row_id and o.event_id = h.event_id)
),

chain_rows as (
    select
        h.event_id,
        h.client_pod_uid as pod_uid,
        h.hop_row_id,
        h.out_row_id,
        h.in_window,
        h.relay_pod_uid,
        h.via,
        h.via_fact_id,
        h.service_match and h.tight and not h.contested
            and exists (select 1 from relays as r where r.relay_ip = h.relay_ip and r.relay_pod_uid is not distinct from h.relay_pod_uid) as positive,
        h.service_match is not false as possible
    from kept_chains as h
    where h.via is not null
),

per_chain as (
    select
        event_id,
        pod_uid,
        coalesce(list_sort(list_distinct(flatten(list([hop_row_id, out_row_id]) filter (where positive and in_window)))), []::VARCHAR[]) as chain_row_ids,
        coalesce(list_sort(list_distinct(flatten(list([hop_row_id, out_row_id]) filter (where positive and not in_window)))), []::VARCHAR[]) as chain_recent_row_ids,
        bool_or(positive and in_window) as chain_positive,
        bool_or(positive and not in_window) as chain_recent_positive,
        bool_or(possible and in_window) as chain_possible,
        bool_or(possible) as chain_possible_any,
        min(via) filter (where possible) as chain_via,
        min(via_fact_id) filter (where possible) as chain_fact_id,
        min(relay_pod_uid) filter (where possible) as chain_relay_pod_uid
    from chain_rows
    group by event_id, pod_uid
),

hops_any as (
    select distinct event_id, client_pod_uid as pod_uid
    from kept_chains
),

final as (
    select
        p.event_id,
        p.pod_uid,
        p.connect_row_ids,
        p.recent_row_ids,
        p.offset_seconds,
        len(p.connect_row_ids) > 0 as has_direct,
        p.range_row_ids,
        len(p.range_row_ids) > 0 as has_range,
        p.range_decisive,
        aa.pod_uid is not null as aws_any,
        len(p.recent_row_ids) > 0 as has_direct_recent,
        p.direct_decisive,
        p.direct_recent_decisive,
        coalesce(pc.chain_row_ids, []::VARCHAR[]) as chain_row_ids,
        coalesce(pc.chain_recent_row_ids, []::VARCHAR[]) as chain_recent_row_ids,
        coalesce(pc.chain_positive, false) as chain_positive,
        coalesce(pc.chain_recent_positive, false) as chain_recent_positive,
        coalesce(pc.chain_possible, false) as chain_possible,
        coalesce(pc.chain_possible_any, false) as chain_possible_any,
        pc.chain_via,
        pc.chain_fact_id,
        pc.chain_relay_pod_uid,
        ha.pod_uid is not null as hop_any,
        exists (
            select 1 from coverage as v
            where v.node_name = c.node_name
                and v.minute between date_trunc('minute', e.ts) - interval 5 minutes and date_trunc('minute', e.ts) + interval 5 minutes
        ) as observable
    from per_candidate as p
    inner join candidates as c on c.event_id = p.event_id and c.pod_uid = p.pod_uid
    inner join events as e on e.event_id = p.event_id
    left join per_chain as pc on pc.event_id = p.event_id and pc.pod_uid = p.pod_uid
    left join hops_any as ha on ha.event_id = p.event_id and ha.pod_uid = p.pod_uid
    left join aws_any as aa on aa.event_id = p.event_id and aa.pod_uid = p.pod_uid
)

select * from final
