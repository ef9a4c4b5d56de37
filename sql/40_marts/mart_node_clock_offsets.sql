-- node_clock_offsets, in its documented column order and a total order.
create or replace view mart_node_clock_offsets as

with

offsets as (
    select * from int_clock__node_offsets
),

final as (
    select node_name, offset_seconds, method, pairs, spread_seconds, evidence
    from offsets
)

select * from final
order by node_name
