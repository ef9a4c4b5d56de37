-- name: node-clock-offsets
-- description: Per node: the runtime sensor's clock offset (measured or declared), how it was measured, and the runtime events it applies to.
-- params: none
--
-- offset_seconds is node clock minus reference (positive: the node runs ahead); correlation
-- moves the node's runtime times back by it. Nodes seen only in inventory have method NULL.

with

offsets as (
    select * from node_clock_offsets
),

declared as (
    select node_name, offset_seconds from case_node_offsets
),

nodes as (
    select name as node_name, arg_max(instance_id, snapshot_at) as instance_id
    from k8s_nodes
    group by name
),

runtime as (
    select
        node_name,
        count(*) as runtime_events,
        min(ts) as first_runtime_at,
        max(ts) as last_runtime_at
    from runtime_events
    where node_name is not null
    group by node_name
),

all_nodes as (
    select node_name from offsets
    union
    select node_name from nodes
    union
    select node_name from runtime
),

final as (
    select
        a.node_name,
        n.instance_id,
        o.method,
        o.offset_seconds,
        d.offset_seconds as declared_offset_seconds,
        o.pairs,
        o.spread_seconds,
        coalesce(r.runtime_events, 0) as runtime_events,
        -- timestamps (node clock)
        r.first_runtime_at,
        r.last_runtime_at
    from all_nodes as a
    left join offsets as o on o.node_name = a.node_name
    left join declared as d on d.node_name = a.node_name
    left join nodes as n on n.node_name = a.node_name
    left join runtime as r on r.node_name = a.node_name
)

select * from final
order by node_name
