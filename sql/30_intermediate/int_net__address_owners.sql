-- Addresses to nodes from the AWS inventory: every address an instance's network interfaces hold
-- (the latest snapshot of each interface), with the node that instance is (k8s_nodes.instance_id).
-- A pod IP given out by the VPC CNI is a secondary address (secondary IP mode) or lies in a
-- delegated prefix (prefix mode) of its node's interface, so an address no pod snapshot names still
-- resolves to its node. One row per interface and address or prefix.
--   kind: primary | secondary | ipv4-prefix | ipv6 | ipv6-prefix (a delegated /80); lo/hi: the bounds in
--   IPv6's 128-bit space, IPv4 at ::ffff:0:0/96 (pt_cidr_lo/hi; NULL when not an address)
create or replace view int_net__address_owners as

with

nodes as (
    select name as node_name, instance_id
    from (select name, arg_max(instance_id, snapshot_at) as instance_id from k8s_nodes group by name)
    where instance_id is not null
),

enis as (
    select *
    from aws_network_interfaces
    where instance_id is not null
    qualify snapshot_at = max(snapshot_at) over (partition by eni_id)
),

addresses as (
    select eni_id, instance_id, subnet_id, row_id, snapshot_at, 'primary' as kind, primary_ip as cidr from enis where primary_ip is not null
    union all
    select eni_id, instance_id, subnet_id, row_id, snapshot_at, 'secondary', unnest(secondary_ips) from enis
    union all
    select eni_id, instance_id, subnet_id, row_id, snapshot_at, 'ipv4-prefix', unnest(ipv4_prefixes) from enis
    union all
    select eni_id, instance_id, subnet_id, row_id, snapshot_at, 'ipv6', unnest(ipv6_addresses) from enis
    union all
    select eni_id, instance_id, subnet_id, row_id, snapshot_at, 'ipv6-prefix', unnest(ipv6_prefixes) from enis
),

final as (
    select
        a.cidr,
        a.kind,
        pt_cidr_lo(a.cidr) as lo,
        pt_cidr_hi(a.cidr) as hi,
        a.eni_id,
        a.instance_id,
        n.node_name,
        a.subnet_id,
        a.row_id,
        a.snapshot_at
    from addresses as a
    left join nodes as n on n.instance_id = a.instance_id
)

select * from final
