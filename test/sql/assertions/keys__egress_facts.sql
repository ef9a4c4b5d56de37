-- invariant: the key of egress_facts (materialized by podtrail correlate) is unique and never NULL
-- (conventions.md: every mart gets a unique and a not_null check on its key). The key is the one
-- src/lake/correlation-schema.ts documents (the runner checks they agree).
-- key: fact_id, member
-- Failing rows: each key value with a NULL part or that occurs more than once.
with

keys as (
    select fact_id, member from egress_facts
),

null_keys as (
    select coalesce(fact_id::VARCHAR, 'NULL') || ' / ' || coalesce(member::VARCHAR, 'NULL') as key, 'NULL in the key' as problem, count(*) as occurrences
    from keys
    where fact_id is null or member is null
    group by fact_id, member
),

duplicate_keys as (
    select coalesce(fact_id::VARCHAR, 'NULL') || ' / ' || coalesce(member::VARCHAR, 'NULL') as key, 'key not unique' as problem, count(*) as occurrences
    from keys
    group by fact_id, member
    having count(*) > 1
),

final as (
    select * from null_keys
    union all
    select * from duplicate_keys
)

select * from final
order by key, problem
