-- Minutes in which each node's Tetragon sensor reported anything (reference clock): a node is
-- observable at a moment when it reported within 5 minutes of it. Absence of a connect only counts
-- against a candidate whose node was observable (Falco alerts only on rules, so it is not coverage).
create or replace view int_runtime__node_coverage as

with

events as (
    select node_name, ts from runtime_events where source = 'tetragon' and node_name is not null
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

final as (
    select distinct
        e.node_name,
        date_trunc('minute', pt_add_seconds(e.ts, -coalesce(o.offset_seconds, 0))::TIMESTAMP) as minute
    from events as e
    left join offsets as o on o.node_name = e.node_name
)

select * from final
