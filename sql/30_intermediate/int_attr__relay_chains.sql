-- Relayed connects around each call (attribution, step 1c): the hops of int_runtime__relay_hops
-- whose outbound connect fell in the call's window or the 120 s before it (a kept-alive tunnel),
-- and how the relay explains the call's source: via pod-ip (the source is the relay's own
-- address), node-ip (its node's address), egress-nat (an egress fact puts the relay's node behind
-- the public source), NULL (it does not: the relay sent that elsewhere). service_match: the
-- relay's outbound went to an endpoint of the call's service; NULL for a public address no
-- endpoint names (it may have been that service, or another). Opaque hops (relay unknown) have
-- via NULL.
create or replace view int_attr__relay_chains as

with

events as (
    select event_id, ts, event_source, source_ip, source_is_private, window_from, window_to
    from int_attr__events
    where not inherits
),

hops as (
    select *, epoch(out_ref_ts)::BIGINT // 10 as bucket from int_runtime__relay_hops
),

source_facts as (
    select * from int_attr__source_facts
),

node_ips as (
    select name as node_name, unnest(internal_ips) as node_ip
    from (select name, arg_max(internal_ips, snapshot_at) as internal_ips from k8s_nodes group by name)
),

event_buckets as (
    select e.*, unnest(range((epoch(window_from)::BIGINT - 120) // 10, epoch(window_to)::BIGINT // 10 + 1)) as bucket
    from events as e
),

matched as (
    select distinct
        b.event_id,
        b.source_ip,
        b.source_is_private,
        b.event_source,
        h.* exclude (bucket),
        h.out_ref_ts >= b.window_from as in_window
    from event_buckets as b
    inner join hops as h
        on h.bucket = b.bucket
        and h.out_ref_ts between b.window_from - interval 120 seconds and b.window_to
),

final as (
    select
        m.event_id,
        m.hop_row_id,
        m.out_row_id,
        m.front,
        m.client_pod_uid,
        m.client_node,
        m.relay_ip,
        m.relay_node,
        m.relay_pod_uid,
        m.out_service,
        m.out_dest_kind,
        m.out_ref_ts,
        m.tight,
        m.in_window,
        case
            when m.front = 'opaque' then null
            when m.out_service is not null then m.out_service = m.event_source
        end as service_match,
        case
            when m.front = 'opaque' then null
            when m.source_is_private and m.source_ip = m.relay_ip then 'pod-ip'
            when m.source_is_private and exists (select 1 from node_ips as n where n.node_name = m.relay_node and n.node_ip = m.source_ip) then 'node-ip'
            when f.fact_id is not null then 'egress-nat'
        end as via,
        f.fact_id as via_fact_id
    from matched as m
    left join (select event_id, node_name, min(fact_id) as fact_id from source_facts group by all) as f
        on f.event_id = m.event_id and f.node_name = m.relay_node and not m.source_is_private
)

select * from final
