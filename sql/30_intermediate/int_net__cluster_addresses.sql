-- Addresses the cluster's own pods and nodes held (inventory snapshots, the pod watch): one row per
-- address. An IPv6 pod or node address is usually global (EKS gives pods addresses of the VPC's
-- /56, and they leave through an egress-only gateway, not a NAT), so "private" cannot tell it from
-- the internet: these addresses count as inside the cluster whatever their range.
create or replace view int_net__cluster_addresses as

with

pod_addresses as (
    select unnest(pod_ips) as ip, 'pod' as kind from k8s_pods
    union all
    select unnest(pod_ips) as ip, 'pod' as kind from k8s_pod_events
),

node_addresses as (
    select unnest(internal_ips) as ip, 'node' as kind from k8s_nodes
),

final as (
    select ip, min(kind) as kind
    from (select * from pod_addresses union all select * from node_addresses)
    where ip is not null and ip <> ''
    group by ip
)

select * from final
