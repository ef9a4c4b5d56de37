-- invariant: every cloud event of the lake has exactly one attribution, and every attribution
-- belongs to a cloud event (every cloud API call in the window gets one attribution row). Failing rows: cloud events without an attribution,
-- attributions without a cloud event, event ids attributed more than once.
with

events as (
    select event_id from cloud_events
),

attributed as (
    select event_id from attributions
),

unattributed_events as (
    select e.event_id, 'cloud event without an attribution' as problem
    from events as e
    where not exists (select 1 from attributed as a where a.event_id = e.event_id)
),

orphan_attributions as (
    select a.event_id, 'attribution without a cloud event' as problem
    from attributed as a
    where not exists (select 1 from events as e where e.event_id = a.event_id)
),

attributed_twice as (
    select event_id, 'attributed ' || count(*) || ' times' as problem
    from attributed
    group by event_id
    having count(*) > 1
),

final as (
    select * from unattributed_events
    union all
    select * from orphan_attributions
    union all
    select * from attributed_twice
)

select * from final
order by event_id, problem
