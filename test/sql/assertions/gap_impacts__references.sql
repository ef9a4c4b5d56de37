-- invariant: every gap_impacts row links a finding that exists in gap_findings with status 'gap'
-- to an attribution that exists: validation.json lists, for each gap,
-- the attributions it weakens, and a dangling or non-gap link would cite what is not there.
-- Failing rows: the impact and which side does not resolve.
with

impacts as (
    select finding_id, event_id from gap_impacts
),

problems as (
    select i.finding_id, i.event_id, 'no such finding' as problem
    from impacts as i
    where not exists (select 1 from gap_findings as f where f.finding_id = i.finding_id)
    union all
    select i.finding_id, i.event_id, 'finding status is ' || coalesce(f.status, 'NULL') || ', not gap' as problem
    from impacts as i
    inner join gap_findings as f on f.finding_id = i.finding_id
    where f.status is distinct from 'gap'
    union all
    select i.finding_id, i.event_id, 'no such attribution' as problem
    from impacts as i
    where not exists (select 1 from attributions as a where a.event_id = i.event_id)
),

final as (
    select * from problems
)

select * from final
order by finding_id, event_id, problem
