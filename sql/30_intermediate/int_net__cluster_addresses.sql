-- Addresses the cluster's own pods and nodes held (inventory snapshots, the pod watch, and the source
-- of every connect a sensor on a cluster node wrote: a pod no snapshot listed still had its address
-- there): one row per address. An IPv6 pod or node address is usually global (EKS gives pods addresses of the VPC's
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

-- a connect leaves from an address of its node or of one of its pods (loopback and link-local aside)
runtime_addresses as (
    select distinct src_ip as ip, case when pod_uid is null and pod_name is null then 'node' else 'pod' end as kind
    from runtime_events
    where kind = 'connect' and pt_is_ip(src_ip) and not pt_is_local_ip(src_ip)
),

final as (
    select ip, min(kind) as kind
    from (select * from pod_addresses union all select * from node_addresses union all select * from runtime_addresses)
    where ip is not null and ip <> ''
    group by ip
)

select * from final
