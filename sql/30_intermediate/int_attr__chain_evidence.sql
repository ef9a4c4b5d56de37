-- int_attr__chain_evidence: each candidate's relayed connects for each call (int_attr__relay_chains;
-- the columns as the evidence view describes them): the hop and outbound row ids of the chains
-- whose relay explains the call's source, in the window or the 120 s before it, whether a chain is
-- positive (a known relay, a tight pair, an outbound to the call's service, uncontested) or only
-- possible, and hop_any. A relayed outbound connect whose every opener used another key than the
-- call's is not the call's; one whose openers hold two keys or more is contested.
create or replace view int_attr__chain_evidence as

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

chains as (
    select * from int_attr__relay_chains
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
        c.event_id,
        c.pod_uid,
        coalesce(pc.chain_row_ids, []::VARCHAR[]) as chain_row_ids,
        coalesce(pc.chain_recent_row_ids, []::VARCHAR[]) as chain_recent_row_ids,
        coalesce(pc.chain_positive, false) as chain_positive,
        coalesce(pc.chain_recent_positive, false) as chain_recent_positive,
        coalesce(pc.chain_possible, false) as chain_possible,
        coalesce(pc.chain_possible_any, false) as chain_possible_any,
        pc.chain_via,
        pc.chain_fact_id,
        pc.chain_relay_pod_uid,
        ha.pod_uid is not null as hop_any
    from candidates as c
    left join per_chain as pc on pc.event_id = c.event_id and pc.pod_uid = c.pod_uid
    left join hops_any as ha on ha.event_id = c.event_id and ha.pod_uid = c.pod_uid
)

select * from final
