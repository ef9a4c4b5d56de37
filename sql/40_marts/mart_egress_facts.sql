-- egress_facts: every egress fact (declared, collected, learned) and each node behind it, the
-- overridden ones included (overridden_by names the fact that won). One row per fact and member:
-- a node behind it, or 'subnet:<cidr>' for a subnet with no known node, or '-' when the fact names
-- nothing behind it. Total order by fact_id, member.
create or replace view mart_egress_facts as

with

facts as (
    select
        *,
        coalesce(node_name, case when behind_kind = 'subnet' then 'subnet:' || behind end, '-') as member
    from int_net__egress_facts
),

final as (
    select
        fact_id,
        member,
        any_value(cidr) as cidr,
        any_value(source) as source,
        any_value(precedence) as precedence,
        any_value(label) as label,
        any_value(node_name) as node_name,
        list_sort(list_distinct(list(behind_kind || coalesce(':' || behind, '')))) as behind,
        any_value(evidence) as evidence,
        any_value(overridden_by) as overridden_by
    from facts
    group by fact_id, member
)

select * from final
order by fact_id, member
