-- The egress facts that explain each call's public source address (attribution, step 1b): the
-- facts covering the address, of the best precedence only (declared > collected > learned; an
-- overridden fact explains nothing), one row per fact and node behind it. A call from a private
-- address or a service name has none.
create or replace view int_attr__source_facts as

with

events as (
    select event_id, source_ip, source_ip_int from int_attr__events
    where source_is_ip and not source_is_private
),

facts as (
    select * from int_net__egress_facts where overridden_by is null
),

covering as (
    select e.event_id, f.fact_id, f.node_name, f.source, f.precedence
    from events as e
    inner join facts as f on e.source_ip_int between f.lo and f.hi
),

final as (
    select distinct event_id, fact_id, node_name, source
    from covering
    qualify precedence = min(precedence) over (partition by event_id)
)

select * from final
