-- invariant: a fact the analyst declared is never overridden by a collected or learned one, and a
-- collected or learned fact that overlaps a declared one is overridden (declared > collected >
-- learned). Failing rows: each fact that breaks it, with the fact that should have won.
with

facts as (
    select distinct fact_id, source, precedence, overridden_by, pt_cidr_lo(cidr) as lo, pt_cidr_hi(cidr) as hi
    from egress_facts
),

declared_overridden as (
    select fact_id, overridden_by as other, 'declared fact overridden' as problem
    from facts
    where source = 'declared' and overridden_by is not null
),

lower_standing as (
    select f.fact_id, d.fact_id as other, 'overlaps a declared fact but is not overridden' as problem
    from facts as f
    inner join facts as d on d.source = 'declared' and d.lo <= f.hi and d.hi >= f.lo
    where f.source in ('collected', 'learned') and f.overridden_by is null
),

final as (
    select * from declared_overridden
    union all
    select * from lower_standing
)

select * from final
order by fact_id, other
