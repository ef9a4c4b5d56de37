-- invariant: the key of cloudtrail_validation (materialized by podtrail correlate) is unique and never NULL
-- (conventions.md: every mart gets a unique and a not_null check on
-- its key). The key is the one src/lake/correlation-schema.ts documents (the runner checks they agree).
-- key: verdict_id
-- Failing rows: each key value with a NULL part or that occurs more than once.
with

keys as (
    select verdict_id from cloudtrail_validation
),

null_keys as (
    select coalesce(verdict_id::VARCHAR, 'NULL') as key, 'NULL in the key' as problem, count(*) as occurrences
    from keys
    where verdict_id is null
    group by verdict_id
),

duplicate_keys as (
    select coalesce(verdict_id::VARCHAR, 'NULL') as key, 'key not unique' as problem, count(*) as occurrences
    from keys
    group by verdict_id
    having count(*) > 1
),

final as (
    select * from null_keys
    union all
    select * from duplicate_keys
)

select * from final
order by key, problem
