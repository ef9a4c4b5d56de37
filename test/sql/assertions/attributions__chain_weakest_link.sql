-- invariant: a call made with a chained key (issued by AssumeRole called with another session's
-- key) is never more certain than the weakest link of its chain: decided proven or strong to pod
-- P, every link's issuing call is decided proven or strong to P, proven only when every link is
-- proven, and its decided_by cites every link. Failing rows: the call, the link and what is wrong.
with

chained as (
    select c.access_key_id, unnest(c.chain_event_ids) as link_event_id
    from int_cloud__chains as c
),

calls as (
    select a.event_id, a.confidence, a.pod_uid, a.decided_by, c.link_event_id
    from attributions as a
    inner join cloud_events as e on e.event_id = a.event_id
    inner join chained as c on c.access_key_id = e.access_key_id
    where a.confidence in ('proven', 'strong') and c.link_event_id <> a.event_id
),

problems as (
    select c.event_id, c.link_event_id, 'link is ' || coalesce(l.confidence, 'missing') || ' to ' || coalesce(l.pod_uid, 'no pod') as problem
    from calls as c
    left join attributions as l on l.event_id = c.link_event_id
    where l.confidence is null or l.confidence not in ('proven', 'strong') or l.pod_uid is distinct from c.pod_uid
    union all
    select c.event_id, c.link_event_id, 'proven while the link is ' || l.confidence
    from calls as c
    inner join attributions as l on l.event_id = c.link_event_id
    where c.confidence = 'proven' and l.confidence <> 'proven'
    union all
    select c.event_id, c.link_event_id, 'decided_by does not cite the link'
    from calls as c
    where not list_contains(coalesce(from_json(c.decided_by -> 'cloud', '["VARCHAR"]'), []::VARCHAR[]), c.link_event_id)
)

select * from problems
order by event_id, link_event_id, problem
