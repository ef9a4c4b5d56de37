-- invariant: the key of correlation_runs (materialized by podtrail correlate) is unique and never NULL
-- (correlation issue, point 7f; conventions.md: every mart gets a unique and a not_null check on
-- its key). The key is the one src/lake/correlation-schema.ts documents (the runner checks they agree).
-- key: table_name
-- Failing rows: each key value with a NULL part or that occurs more than once.
with

keys as (
    select table_name from correlation_runs
),

null_keys as (
    select coalesce(table_name::VARCHAR, 'NULL') as key, 'NULL in the key' as problem, count(*) as occurrences
    from keys
    where table_name is null
    group by table_name
),

duplicate_keys as (
    select coalesce(table_name::VARCHAR, 'NULL') as key, 'key not unique' as problem, count(*) as occurrences
    from keys
    group by table_name
    having count(*) > 1
),

final as (
    select * from null_keys
    union all
    select * from duplicate_keys
)

select * from final
order by key, problem
