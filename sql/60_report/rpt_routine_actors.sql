-- Actors whose every signal is routine for their workload (rpt_signals): named in the report with
-- what they did, so nothing is hidden, but not ranked among the findings.
create or replace view rpt_routine_actors as

with

per_actor as (
    select
        actor_kind,
        actor_id,
        any_value(workload) as workload,
        count(*) as signals,
        list(distinct signal order by signal) as signal_kinds,
        min(ts) as first_at,
        max(ts) as last_at,
        bool_and(routine) as all_routine
    from rpt_signals
    group by actor_kind, actor_id
),

final as (
    select
        actor_kind,
        actor_id,
        workload,
        signals::INTEGER as signals,
        signal_kinds,
        first_at,
        last_at
    from per_actor
    where all_routine
)

select * from final
order by workload, actor_kind, actor_id
