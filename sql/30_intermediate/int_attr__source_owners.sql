-- The node whose network interfaces hold each call's private source address, when neither a pod
-- IP nor a node IP of the inventory explains it (attribution, step 1c): the address is a
-- secondary IP or lies in a delegated prefix of the node's interface (int_net__address_owners),
-- which the VPC CNI gives out to that node's pods only, so a pod no snapshot gave that address
-- (one known from audit or runtime, or one born and gone between snapshots) made the call there.
-- Held back (no row) where the interface inventory cannot be trusted for the call's moment:
--   - a pod of the inventory held the address at the call (the pod snapshots name the caller);
--   - the address is a node's internal IP;
--   - a pod of another node held the address at any time of the evidence, or two nodes' interfaces
--     hold it: the address moved between nodes (the CNI releases warm addresses), and the
--     interfaces were seen once, at collection.
-- A primary address is a node's own (its internal IP): it draws no pod here. A delegated prefix is
-- an IPv4 /28 or an IPv6 /80 (an IPv6 cluster's pods: global addresses, int_cloud__calls).
-- One row per call and node; owner_row_ids: the aws_network_interfaces rows used.
create or replace view int_attr__source_owners as

with

events as (
    select event_id, ts, tolerance_seconds, source_ip, source_ip_int
    from int_attr__events
    where source_is_private
),

owners as (
    select * from int_net__address_owners
    where node_name is not null and kind in ('secondary', 'ipv4-prefix', 'ipv6', 'ipv6-prefix')
),

node_ips as (
    select distinct unnest(internal_ips) as ip from k8s_nodes
),

pod_ips as (
    select pod_uid, node_name, valid_from, valid_to, unnest(pod_ips) as ip from pod_lifecycle
),

owned as (
    select e.event_id, e.ts, e.tolerance_seconds, e.source_ip, o.node_name, o.kind, o.cidr, o.row_id
    from events as e
    inner join owners as o on e.source_ip_int >= o.lo and e.source_ip_int <= o.hi
    union all
    select e.event_id, e.ts, e.tolerance_seconds, e.source_ip, o.node_name, o.kind, o.cidr, o.row_id
    from events as e
    inner join owners as o on o.lo is null and o.cidr = e.source_ip
),

trusted as (
    select o.*
    from owned as o
    where not exists (select 1 from node_ips as n where n.ip = o.source_ip)
        and not exists (
            select 1 from pod_ips as p
            where p.ip = o.source_ip
                and (
                    p.node_name is distinct from o.node_name
                    or (p.valid_from <= o.ts + to_seconds(o.tolerance_seconds)
                        and (p.valid_to is null or p.valid_to >= o.ts - to_seconds(o.tolerance_seconds)))
                )
        )
    qualify count(distinct o.node_name) over (partition by o.event_id) = 1
),

final as (
    select
        event_id,
        node_name,
        list_sort(list_distinct(list(kind))) as kinds,
        list_sort(list_distinct(list(cidr))) as cidrs,
        list_sort(list_distinct(list(row_id))) as owner_row_ids
    from trusted
    group by event_id, node_name
)

select * from final
