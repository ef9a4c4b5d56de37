-- Check 5, sensor coverage: every node the inventory shows during the window has runtime (Tetragon)
-- events for the part of the examined range it existed; nodes seen in cloud or runtime evidence but
-- missing from the inventory. One rule for every node: its sensor starts late when its first event
-- comes more than its stream's expected gap after the later of the window start and the node's
-- start (the margin before the window is not required of any node). A node with Falco alerts and
-- no Tetragon events has a sensor, whose silence proves nothing (Falco alerts only when a rule
-- fires): unknown, never "no sensor".
create or replace view chk_sensor_coverage as

with

range as (
    select * from chk__range
),

nodes as (
    select name as node_name, min(created_at) as created_at, min(snapshot_at) as first_snapshot_at, max(snapshot_at) as last_snapshot_at
    from k8s_nodes
    group by name
),

snapshot_instants as (
    select distinct snapshot_at from k8s_nodes
),

existence as (
    select
        n.node_name,
        greatest(r.range_from, coalesce(n.created_at, n.first_snapshot_at)) as exists_from,
        least(
            r.range_to,
            coalesce((select min(s.snapshot_at) from snapshot_instants as s where s.snapshot_at > n.last_snapshot_at), r.range_to)
        ) as exists_to
    from nodes as n
    cross join range as r
),

sensors as (
    select node_name, count(*) as events, min(ts)::TIMESTAMP as first_at, max(ts)::TIMESTAMP as last_at
    from runtime_events
    where source = 'tetragon'
    group by node_name
),

falco as (
    select node_name, count(*) as alerts, min(ts)::TIMESTAMP as first_at, max(ts)::TIMESTAMP as last_at
    from runtime_events
    where source = 'falco' and node_name is not null
    group by node_name
),

streams as (
    select * from chk__streams where source = 'tetragon'
),

per_node as (
    select
        e.*,
        coalesce(s.events, 0) as events,
        s.first_at,
        s.last_at,
        coalesce(st.expected_gap_seconds, 1800) as expected_gap_seconds,
        -- where the sensor is expected from: the window start, or the node's own start inside it
        greatest(e.exists_from, r.window_from) as expected_from,
        r.window_from,
        coalesce(f.alerts, 0) as falco_alerts,
        f.first_at as falco_first_at,
        f.last_at as falco_last_at
    from existence as e
    cross join range as r
    left join sensors as s on s.node_name = e.node_name
    left join streams as st on st.node_name = e.node_name
    left join falco as f on f.node_name = e.node_name
    where e.exists_to > e.exists_from
),

node_findings as (
    select
        'sensor-coverage' as check_id,
        case
            when events = 0 and falco_alerts > 0 then 'falco-only'
            when events = 0 then 'no-sensor'
            when epoch(first_at) - epoch(expected_from) > expected_gap_seconds then 'sensor-late'
            else 'sensor-present'
        end as kind,
        'sensor-coverage:' || node_name as finding_id,
        case
            when events = 0 and falco_alerts > 0 then 'unknown'
            when events = 0 then 'gap'
            when epoch(first_at) - epoch(expected_from) > expected_gap_seconds then 'gap'
            else 'ok'
        end as status,
        case when events = 0 and falco_alerts > 0 then 'falco' else 'tetragon' end as source,
        node_name,
        null::VARCHAR as region,
        case when events = 0 then exists_from when epoch(first_at) - epoch(expected_from) > expected_gap_seconds then expected_from else first_at end as interval_from,
        case when events = 0 then exists_to when epoch(first_at) - epoch(expected_from) > expected_gap_seconds then first_at else last_at end as interval_to,
        case when events = 0 then epoch(exists_to) - epoch(exists_from) else greatest(0, epoch(first_at) - epoch(expected_from)) end as seconds,
        events::DOUBLE as value,
        to_json({'events': events, 'falco_alerts': falco_alerts, 'node_exists_from': strftime(exists_from, '%Y-%m-%dT%H:%M:%SZ'), 'node_exists_to': strftime(exists_to, '%Y-%m-%dT%H:%M:%SZ')}) as detail,
        case
            when events = 0 and falco_alerts > 0 then node_name || ' has a Falco sensor (' || pt_count(falco_alerts, 'alert', 'alerts') || ' from '
                || strftime(falco_first_at, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime(falco_last_at, '%Y-%m-%dT%H:%M:%SZ')
                || ') and no Tetragon events: Falco reports only what its rules alert on, so what its pods did without an alert is unknown'
            when events = 0 then node_name || ' has no runtime sensor events from ' || strftime(exists_from, '%Y-%m-%dT%H:%M:%SZ') || ' to '
                || strftime(exists_to, '%Y-%m-%dT%H:%M:%SZ') || ': what its pods did is invisible'
            when epoch(first_at) - epoch(expected_from) > expected_gap_seconds then node_name || ': runtime events start only at '
                || strftime(first_at, '%Y-%m-%dT%H:%M:%SZ') || ', ' || round((epoch(first_at) - epoch(expected_from)) / 60, 1) || ' min after '
                || case when expected_from > window_from then 'the node started' else 'the window start' end
            else node_name || ': ' || events || ' runtime events'
        end as message
    from per_node
),

unknown_nodes as (
    select distinct node_name, 'runtime' as seen_in from runtime_events
    where node_name is not null and node_name not in (select node_name from nodes)
    union
    select distinct coalesce(subject_node_name, subject_instance_id), 'cloud' from credential_sessions
    where subject_type = 'instance' and subject_node_name is null
),

unknown_findings as (
    select
        'sensor-coverage', 'node-not-in-inventory', 'sensor-coverage:unknown:' || u.node_name, 'unknown', u.seen_in, u.node_name, null,
        r.range_from, r.range_to, 0.0, 0.0, to_json({'seen_in': u.seen_in}),
        u.node_name || ' appears in ' || u.seen_in || ' evidence but in no inventory snapshot'
    from unknown_nodes as u
    cross join range as r
),

final as (
    select * from node_findings
    union all
    select * from unknown_findings
)

select * from final
