-- Minutes in which each node's runtime sensor reported anything (reference clock): a node is
-- observable at a moment when it reported within 5 minutes of it. Absence of a connect only counts
-- against a candidate whose node was observable.
--   Tetragon: its connect policy reports every outbound connect, so its events count everywhere.
--   Falco: alerts only on its rules, so its events count only on nodes whose rule set is known to
--   alert on every outbound connect (int_runtime__falco_every_connect: recorded by `podtrail sensor
--   deploy`, or declared in case.yaml); elsewhere its connects are evidence, its silence is not.
-- sensor: the sensor whose events gave the minute.
create or replace view int_runtime__node_coverage as

with

falco_nodes as (
    select node_name from int_runtime__falco_every_connect
),

events as (
    select node_name, ts, source from runtime_events
    where node_name is not null
        and (source = 'tetragon' or (source = 'falco' and node_name in (select node_name from falco_nodes)))
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

final as (
    select
        e.node_name,
        date_trunc('minute', pt_add_seconds(e.ts, -coalesce(o.offset_seconds, 0))::TIMESTAMP) as minute,
        min(e.source) as sensor
    from events as e
    left join offsets as o on o.node_name = e.node_name
    group by all
)

select * from final
