-- Egress facts: what sits behind each public address the cluster's traffic leaves from, in one
-- place. One row per fact and node behind it (a fact with no node known behind it keeps one row
-- with node_name NULL).
--   declared  case.yaml egress: a NAT's public addresses and the nodes or subnets behind it
--   collected the network inventory of the cloud account: NAT gateways, the route tables that send
--             each node's subnet to them, nodes' own public addresses (int_net__collected_egress)
--   learned  an address from which the node-role sessions of two or more of the cluster's
--             instances called (int_net__learned_egress): the nodes of those instances
-- precedence: declared 1, collected 2, learned 3. A fact covered by a fact of a better precedence
-- (an address or CIDR overlapping it) is overridden (overridden_by) and explains nothing; the
-- gaps checks still list it beside the one that won. fact_id: <source>:<label>:<address or CIDR>.
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
    left join nodes as n on pt_ip_int(n.node_ip) between g.subnet_lo and g.subnet_hi
    where g.subnet_cidr is not null
    union all
    select g.label, g.public_cidr, g.public_lo, g.public_hi, null, 'nothing', null
    from declared as g
    where g.node_name is null and g.subnet_cidr is null
),

declared_facts as (
    select
        'declared:' || label || ':' || public_cidr as fact_id,
        public_cidr as cidr,
        public_lo as lo,
        public_hi as hi,
        node_name,
        'declared' as source,
        1 as precedence,
        label,
        behind_kind,
        behind,
        to_json({'case_yaml': 'egress', 'label': label}) as evidence
    from declared_nodes
),

collected_facts as (
    select
        'collected:' || label || ':' || public_ip as fact_id,
        public_ip as cidr,
        pt_ip_int(public_ip) as lo,
        pt_ip_int(public_ip) as hi,
        node_name,
        'collected' as source,
        2 as precedence,
        label,
        case via when 'nat-gateway' then 'subnet' else 'node' end as behind_kind,
        case via when 'nat-gateway' then subnet_id else node_name end as behind,
        evidence
    from int_net__collected_egress
),

learned_facts as (
    select
        'learned:node-role:' || source_ip as fact_id,
        source_ip as cidr,
        source_ip_int as lo,
        source_ip_int as hi,
        node_name,
        'learned' as source,
        3 as precedence,
        'node-role' as label,
        'node' as behind_kind,
        node_name as behind,
        to_json({'instances': instances, 'calls': calls, 'first_at': first_at, 'last_at': last_at, 'event_ids': event_ids}) as evidence
    from int_net__learned_egress
),

facts as (
    select distinct * from declared_facts
    union all
    select * from collected_facts
    union all
    select * from learned_facts
),

final as (
    select
        f.*,
        (
            select min(g.fact_id) from facts as g
            where g.precedence < f.precedence and g.lo <= f.hi and g.hi >= f.lo
        ) as overridden_by
    from facts as f
)

select * from final
