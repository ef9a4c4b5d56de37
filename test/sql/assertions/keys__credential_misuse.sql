-- invariant: the key of credential_misuse (materialized by podtrail correlate) is unique and never NULL
-- (correlation issue, point 7f; conventions.md: every mart gets a unique and a not_null check on
-- its key). The key is the one src/lake/correlation-schema.ts documents (the runner checks they agree).
-- key: event_id
-- Failing rows: each key value with a NULL part or that occurs more than once.
with

keys as (
    select event_id from credential_misuse
),

null_keys as (
    select coalesce(event_id::VARCHAR, 'NULL') as key, 'NULL in the key' as problem, count(*) as occurrences
    from keys
    where event_id is null
    group by event_id
),

duplicate_keys as (
    select coalesce(event_id::VARCHAR, 'NULL') as key, 'key not unique' as problem, count(*) as occurrences
    from keys
    group by event_id
    having count(*) > 1
),

final as (
    select * from null_keys
    union all
    select * from duplicate_keys
)

select * from final
order by key, problem
