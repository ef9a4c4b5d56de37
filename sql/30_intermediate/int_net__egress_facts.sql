-- Egress facts: what sits behind each public address the cluster's traffic leaves from. One row
-- per fact and node behind it (a fact with no node behind it keeps one row with node_name NULL).
--   declared  case.yaml egress: a NAT's public addresses and the nodes or subnets behind it
-- precedence: declared 1 (a lower number wins where facts of several sources cover an address).
-- fact_id: <source>:<label>:<public address or CIDR>.
create or replace view int_net__egress_facts as

with

declared as (
    select * from case_egress
),

nodes as (
    select name as node_name, unnest(internal_ips) as node_ip
    from (select name, arg_max(internal_ips, snapshot_at) as internal_ips from k8s_nodes group by name)
),

declared_nodes as (
    select g.label, g.public_cidr, g.public_lo, g.public_hi, g.node_name, 'node' as behind_kind, g.node_name as behind
    from declared as g
    where g.node_name is not null
    union all
    select g.label, g.public_cidr, g.public_lo, g.public_hi, n.node_name, 'subnet' as behind_kind, g.subnet_cidr as behind
    from declared as g
    left join nodes as n on pt_ipv4_int(n.node_ip) between g.subnet_lo and g.subnet_hi
    where g.subnet_cidr is not null
    union all
    select g.label, g.public_cidr, g.public_lo, g.public_hi, null, 'nothing', null
    from declared as g
    where g.node_name is null and g.subnet_cidr is null
),

final as (
    select distinct
        'declared:' || label || ':' || public_cidr as fact_id,
        public_cidr as cidr,
        public_lo as lo,
        public_hi as hi,
        node_name,
        'declared' as source,
        1 as precedence,
        label,
        behind_kind,
        behind
    from declared_nodes
)

select * from final
