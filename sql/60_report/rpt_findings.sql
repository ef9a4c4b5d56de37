-- The report's answer: one row per actor with at least one signal that is not routine, ranked by
-- the severity rule (docs/report.md):
--   1. actors the evidence names before actors that are only ever a candidate (of an ambiguous
--      call, or as a pod of a service account whose credential was used outside);
--   2. the tier of its most severe signal that names it (of its candidate signals for the others) (1 credential creation or use from outside, 2 privilege
--      change, 3 a person entering the pod, 4 secret and data reads and writes, 5 denied calls,
--      6 reconnaissance, 7 connects to undeclared outside addresses);
--   3. more kinds of signal first; 4. the earlier first signal; 5. the actor id.
-- Actors whose every signal is routine are listed by rpt_routine_actors instead.
create or replace view rpt_findings as

with

signals as (
    select * from rpt_signals where not routine
),

per_actor as (
    select
        actor_kind,
        actor_id,
        bool_or(not as_candidate) as named,
        -- the most severe signal that names the actor; for an actor only ever a candidate, its
        -- most severe candidate signal
        coalesce(min(tier) filter (where not as_candidate), min(tier)) as tier,
        count(distinct signal) as kinds,
        count(*) as signals,
        list(distinct signal order by signal) as signal_kinds,
        min(ts) as first_at,
        max(ts) as last_at
    from signals
    group by actor_kind, actor_id
),

final as (
    select
        -- ids
        row_number() over (order by named desc, tier, kinds desc, first_at, actor_kind, actor_id)::INTEGER as rank,
        actor_kind,
        actor_id,
        -- dimensions
        tier::INTEGER as tier,
        case tier
            when 1 then 'credential'
            when 2 then 'privilege'
            when 3 then 'entry'
            when 4 then 'data'
            when 5 then 'denied'
            when 6 then 'recon'
            else 'egress'
        end as severity,
        named,
        kinds::INTEGER as kinds,
        signals::INTEGER as signals,
        signal_kinds,
        -- timestamps (UTC)
        first_at,
        last_at
    from per_actor
)

select * from final
order by rank
