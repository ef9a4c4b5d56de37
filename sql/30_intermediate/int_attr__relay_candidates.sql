-- int_attr__relay_candidates: the candidates of an address-drawn call a relay explains: the clients
-- of that relay around the call, every earlier client of a known relay there (relay-client), and
-- the pods of every node no sensor observed around the call (relay-blind). One row per call, pod
-- and origin.
create or replace view int_attr__relay_candidates as

with

lifecycle as (
    select * from pod_lifecycle
),

nodes as (
    select * from int_attr__node_ips
),

source_facts as (
    select * from int_attr__source_facts
),

chains as (
    select * from int_attr__relay_chains
),

relays as (
    select * from int_runtime__relays where is_relay
),

coverage as (
    select * from int_runtime__node_coverage
),

by_address as (
    select * from int_attr__address_drawn_calls
),

relay_explained as (
    -- address-drawn calls whose source a relay explains: a relayed connect around the call, or a
    -- known relay at that address (or behind that egress)
    select distinct c.event_id
    from chains as c
    inner join by_address as b on b.event_id = c.event_id
    where c.via is not null
    union
    select b.event_id
    from by_address as b
    inner join relays as r on b.source_is_private and r.relay_ip = b.source_ip
    union
    select b.event_id
    from by_address as b
    inner join relays as r on true
    inner join source_facts as f on f.event_id = b.event_id and f.node_name = r.relay_node
    union
    select b.event_id
    from by_address as b
    inner join relays as r on true
    inner join nodes as n on b.source_is_private and n.node_ip = b.source_ip and n.node_name = r.relay_node
),

known_relay_sources as (
    -- address-drawn calls whose source is a known relay's address or egress
    select b.event_id, r.relay_ip, r.relay_pod_uid
    from by_address as b
    inner join relays as r on b.source_is_private and r.relay_ip = b.source_ip
    union
    select b.event_id, r.relay_ip, r.relay_pod_uid
    from by_address as b
    inner join relays as r on true
    inner join source_facts as f on f.event_id = b.event_id and f.node_name = r.relay_node
    union
    select b.event_id, r.relay_ip, r.relay_pod_uid
    from by_address as b
    inner join relays as r on true
    inner join nodes as n on b.source_is_private and n.node_ip = b.source_ip and n.node_name = r.relay_node
),

final as (
    -- the clients of a relay that explains the source
    select c.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'relay-client' as origin
    from chains as c
    inner join by_address as b on b.event_id = c.event_id
    inner join lifecycle as a
        on a.pod_uid = c.client_pod_uid
        and a.valid_from <= b.ts + to_seconds(b.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= b.ts - to_seconds(b.tolerance_seconds))
    where c.via is not null
    union all
    select c.event_id, c.client_pod_uid, null, null, c.client_node, null, null, true, 'relay-client'
    from chains as c
    inner join by_address as b on b.event_id = c.event_id
    where c.via is not null and c.client_pod_uid like 'host:%'
    union all
    -- every client a known relay at the source had before the call: one of them may have sent it
    -- on a tunnel opened earlier
    select k.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'relay-client' as origin
    from known_relay_sources as k
    inner join by_address as b on b.event_id = k.event_id
    inner join int_runtime__relay_hops as h
        on h.relay_ip = k.relay_ip and h.relay_pod_uid is not distinct from k.relay_pod_uid and h.front <> 'opaque'
        and h.hop_ref_ts <= b.ts + to_seconds(b.tolerance_seconds)
    inner join lifecycle as a
        on a.pod_uid = h.client_pod_uid
        and a.valid_from <= b.ts + to_seconds(b.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= b.ts - to_seconds(b.tolerance_seconds))
    union all
    -- every pod of a node the sensors did not observe around the call could have used the relay
    select b.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'relay-blind' as origin
    from relay_explained as r
    inner join by_address as b on b.event_id = r.event_id
    inner join lifecycle as a
        on a.valid_from <= b.ts + to_seconds(b.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= b.ts - to_seconds(b.tolerance_seconds))
    where not exists (
        select 1 from coverage as v
        where v.node_name = a.node_name
            and v.minute between date_trunc('minute', b.ts) - interval 5 minutes and date_trunc('minute', b.ts) + interval 5 minutes
    )
)

select * from final
