-- Check 1, audit continuity: per stream (chk__streams), the silent intervals inside the examined
-- range longer than the stream's expected gap, including a silence that runs to the end of the
-- range; and the events each sensor itself reports as lost (sensor_dropped). One 'ok' finding per
-- stream without a gap. The outage itself starts after the last event and ends before the next:
-- the reported interval is the silence narrowed by half the stream's median interval at each end
-- (the raw bounds are in detail).
create or replace view chk_continuity as

with

range as (
    select * from chk__range
),

streams as (
    select * from chk__streams
),

events as (
    select 'kube-audit' as source, null::VARCHAR as node_name, request_received_at as ts
    from kube_audit_events
    union all
    select 'tetragon', node_name, ts::TIMESTAMP
    from runtime_events
    where source = 'tetragon' and node_name is not null
),

nodes_seen_later as (
    -- a node's tail silence is a gap only while the node still existed
    select name as node_name, max(snapshot_at) as last_snapshot_at from k8s_nodes group by name
),

intervals as (
    select
        e.source,
        e.node_name,
        e.ts as gap_from,
        coalesce(lead(e.ts) over (partition by e.source, e.node_name order by e.ts), r.range_to) as gap_to,
        lead(e.ts) over (partition by e.source, e.node_name order by e.ts) is null as is_tail
    from events as e
    cross join range as r
),

silences as (
    select
        i.*,
        epoch(i.gap_to) - epoch(i.gap_from) as raw_seconds,
        s.median_interval_seconds,
        s.expected_gap_seconds
    from intervals as i
    inner join streams as s on s.source = i.source and s.node_name is not distinct from i.node_name
    left join nodes_seen_later as n on n.node_name = i.node_name
    where epoch(i.gap_to) - epoch(i.gap_from) > s.expected_gap_seconds
        and (not i.is_tail or i.node_name is null or n.last_snapshot_at >= i.gap_to - interval 1 hour)
),

narrowed as (
    select
        *,
        pt_add_seconds(gap_from, median_interval_seconds / 2)::TIMESTAMP as outage_from,
        case when is_tail then gap_to else pt_add_seconds(gap_to, -median_interval_seconds / 2)::TIMESTAMP end as outage_to
    from silences
),

gap_findings as (
    select
        'continuity' as check_id,
        case when source = 'kube-audit' then 'audit-silence' else 'sensor-silence' end as kind,
        'continuity:' || source || ':' || coalesce(node_name, '-') || ':' || strftime(gap_from, '%Y-%m-%dT%H:%M:%SZ') as finding_id,
        'gap' as status,
        source,
        node_name,
        null::VARCHAR as region,
        outage_from as interval_from,
        outage_to as interval_to,
        epoch(outage_to) - epoch(outage_from) as seconds,
        expected_gap_seconds as value,
        to_json({
            'expected_gap_seconds': round(expected_gap_seconds, 1), 'to_end_of_range': is_tail,
            'last_event_before': strftime(gap_from, '%Y-%m-%dT%H:%M:%S.%fZ'),
            'first_event_after': case when is_tail then null else strftime(gap_to, '%Y-%m-%dT%H:%M:%S.%fZ') end
        }) as detail,
        source || coalesce(' on ' || node_name, '') || ' is silent for ' || round((epoch(outage_to) - epoch(outage_from)) / 60, 1) || ' min from '
            || strftime(outage_from, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime(outage_to, '%Y-%m-%dT%H:%M:%SZ')
            || case when is_tail then ' (end of the examined range)' else '' end
            || '; expected at most ' || round(expected_gap_seconds / 60, 1) || ' min' as message
    from narrowed
),

drops as (
    select node_name, source, sum(sensor_dropped) as dropped, min(ts)::TIMESTAMP as first_at, max(ts)::TIMESTAMP as last_at
    from runtime_events
    where sensor_dropped is not null and sensor_dropped > 0
    group by node_name, source
),

drop_findings as (
    select
        'continuity', 'sensor-drops',
        'continuity:drops:' || source || ':' || coalesce(node_name, '-'),
        'gap', source, node_name, null, first_at, last_at, epoch(last_at) - epoch(first_at), dropped::DOUBLE,
        to_json({'dropped': dropped}),
        source || ' on ' || coalesce(node_name, '?') || ' reports ' || pt_count(dropped, 'event', 'events') || ' lost'
    from drops
),

ok_findings as (
    select
        'continuity', 'stream-continuous',
        'continuity:' || s.source || ':' || coalesce(s.node_name, '-'),
        'ok', s.source, s.node_name, null, s.first_at, s.last_at, epoch(s.last_at) - epoch(s.first_at), s.expected_gap_seconds,
        to_json({'events': s.events, 'expected_gap_seconds': round(s.expected_gap_seconds, 1)}),
        s.source || coalesce(' on ' || s.node_name, '') || ': no silence over ' || round(s.expected_gap_seconds / 60, 1) || ' min'
    from streams as s
    where not exists (select 1 from gap_findings as g where g.source = s.source and g.node_name is not distinct from s.node_name)
),

final as (
    select * from gap_findings
    union all
    select * from drop_findings
    union all
    select * from ok_findings
)

select * from final
