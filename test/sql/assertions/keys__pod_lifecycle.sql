-- invariant: the key of pod_lifecycle (materialized by podtrail correlate) is unique and never NULL
-- (correlation issue, point 7f; conventions.md: every mart gets a unique and a not_null check on
-- its key). The key is the one src/lake/correlation-schema.ts documents (the runner checks they agree).
-- key: pod_uid, interval_no
-- Failing rows: each key value with a NULL part or that occurs more than once.
with

keys as (
    select pod_uid, interval_no from pod_lifecycle
),

null_keys as (
    select coalesce(pod_uid::VARCHAR, 'NULL') || ', ' || coalesce(interval_no::VARCHAR, 'NULL') as key, 'NULL in the key' as problem, count(*) as occurrences
    from keys
    where pod_uid is null or interval_no is null
    group by pod_uid, interval_no
),

duplicate_keys as (
    select coalesce(pod_uid::VARCHAR, 'NULL') || ', ' || coalesce(interval_no::VARCHAR, 'NULL') as key, 'key not unique' as problem, count(*) as occurrences
    from keys
    group by pod_uid, interval_no
    having count(*) > 1
),

final as (
    select * from null_keys
    union all
    select * from duplicate_keys
)

select * from final
order by key, problem
