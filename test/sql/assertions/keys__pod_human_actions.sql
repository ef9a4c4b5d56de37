-- invariant: the key of pod_human_actions (materialized by podtrail correlate) is unique and never NULL
-- (correlation issue, point 7f; conventions.md: every mart gets a unique and a not_null check on
-- its key). The key is the one src/lake/correlation-schema.ts documents (the runner checks they agree).
-- key: audit_id
-- Failing rows: each key value with a NULL part or that occurs more than once.
with

keys as (
    select audit_id from pod_human_actions
),

null_keys as (
    select coalesce(audit_id::VARCHAR, 'NULL') as key, 'NULL in the key' as problem, count(*) as occurrences
    from keys
    where audit_id is null
    group by audit_id
),

duplicate_keys as (
    select coalesce(audit_id::VARCHAR, 'NULL') as key, 'key not unique' as problem, count(*) as occurrences
    from keys
    group by audit_id
    having count(*) > 1
),

final as (
    select * from null_keys
    union all
    select * from duplicate_keys
)

select * from final
order by key, problem
