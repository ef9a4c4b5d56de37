-- Check 2, retention and coverage: per source, the first landed event against the window start.
-- A source whose first event comes later than the window start (by more than its expected gap)
-- does not cover the start of the window: the window starts before the oldest retained event.
-- Sources: the Kubernetes audit log and Tetragon (streams with a known rate), and inventory; a
-- window without any CloudTrail event is a gap of its own (nothing to attribute).
-- CloudTrail is judged hour by hour on its log files (chk_cloudtrail_files), and a source that
-- falls silent before the window ends is a continuity finding (chk_continuity), not reported twice.
create or replace view chk_coverage as

with

range as (
    select * from chk__range
),

streams as (
    select * from chk__streams
),

per_source as (
    select 'kube-audit' as source, null::VARCHAR as region, min(request_received_at) as first_at, max(request_received_at) as last_at, count(*) as events
    from kube_audit_events
    union all
    select source, null, min(ts)::TIMESTAMP, max(ts)::TIMESTAMP, count(*)
    from runtime_events
    where source = 'tetragon'
    group by source
    union all
    select 'inventory', null, min(snapshot_at), max(snapshot_at), count(*)
    from k8s_pods
),

expected as (
    select
        p.*,
        coalesce(
            (select max(s.expected_gap_seconds) from streams as s where s.source = p.source),
            r.expected_gap_ceiling_seconds
        ) as expected_gap_seconds,
        case when p.source = 'inventory' then 2 * 3600.0 else null end as inventory_period
    from per_source as p
    cross join range as r
    where p.events > 0
),

judged as (
    select
        e.*,
        r.window_from,
        r.window_to,
        epoch(e.first_at) - epoch(r.window_from) as late_seconds,
        epoch(r.window_to) - epoch(e.last_at) as early_seconds
    from expected as e
    cross join range as r
),

late_start as (
    select
        'coverage' as check_id,
        'retention-before-window' as kind,
        'coverage:start:' || source || ':' || coalesce(region, '-') as finding_id,
        -- a CloudTrail region with under 3 events an hour is too quiet to tell
        'gap' as status,
        source,
        null::VARCHAR as node_name,
        region,
        window_from as interval_from,
        first_at as interval_to,
        late_seconds as seconds,
        late_seconds as value,
        to_json({'first_event_at': strftime(first_at, '%Y-%m-%dT%H:%M:%SZ'), 'events': events}) as detail,
        'the window starts ' || round(late_seconds / 60, 1) || ' min before the oldest ' || source
            || coalesce(' (' || region || ')', '') || ' event (' || strftime(first_at, '%Y-%m-%dT%H:%M:%SZ')
            || '): nothing older was retained or collected' as message
    from judged
    where source <> 'inventory' and late_seconds > expected_gap_seconds
),

inventory_span as (
    select
        'coverage', case when first_at > window_from or last_at < window_to then 'inventory-partial' else 'inventory-covers-window' end,
        'coverage:inventory',
        case when first_at > window_from or last_at < window_to then 'gap' else 'ok' end,
        'inventory', null, null, first_at, last_at, epoch(last_at) - epoch(first_at), events::DOUBLE,
        to_json({'first_snapshot_at': strftime(first_at, '%Y-%m-%dT%H:%M:%SZ'), 'last_snapshot_at': strftime(last_at, '%Y-%m-%dT%H:%M:%SZ')}),
        case
            when first_at > window_from or last_at < window_to then
                'inventory snapshots run from ' || strftime(first_at, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime(last_at, '%Y-%m-%dT%H:%M:%SZ')
                || ': pods before the first or after the last snapshot are known only from audit and runtime evidence'
            else 'inventory snapshots bracket the window'
        end
    from judged
    where source = 'inventory'
),

ok_sources as (
    select
        'coverage', 'source-covers-window',
        'coverage:' || source || ':' || coalesce(region, '-'),
        'ok', source, null, region, first_at, last_at, epoch(last_at) - epoch(first_at), events::DOUBLE,
        to_json({'events': events}),
        source || coalesce(' (' || region || ')', '') || ' covers the window (' || pt_count(events, 'event', 'events') || ')'
    from judged
    where source <> 'inventory' and late_seconds <= expected_gap_seconds
),

missing_sources as (
    select
        'coverage', 'source-missing', 'coverage:missing:' || s.source, 'gap', s.source, null, null,
        r.window_from, r.window_to, epoch(r.window_to) - epoch(r.window_from), 0::DOUBLE, to_json({'events': 0}),
        'no ' || s.source || ' evidence in the case'
    from (values ('kube-audit'), ('tetragon'), ('inventory')) as s(source)
    cross join range as r
    where s.source not in (select source from per_source where events > 0)
),

cloud_counts as (
    select
        (select count(*) from cloud_events as c where c.ts >= r.window_from and c.ts < r.window_to) as in_window,
        (select count(*) from cloud_events) as in_lake,
        (select count(*) from evidence_files where source_type = 'cloudtrail' and status = 'landed') as files
    from range as r
),

missing_cloud as (
    -- no cloud call in the window: nothing to attribute, which is a gap, never "0 gaps"
    select
        'coverage', 'source-missing', 'coverage:missing:cloudtrail', 'gap', 'cloudtrail', null, null,
        r.window_from, r.window_to, epoch(r.window_to) - epoch(r.window_from), 0::DOUBLE,
        to_json({'events': 0, 'events_in_margin': k.in_lake, 'files': k.files}),
        case
            when k.files = 0 then 'no CloudTrail evidence in the case: no cloud call can be attributed'
            else 'no CloudTrail event in the window (' || pt_count(k.files, 'CloudTrail file', 'CloudTrail files') || ' landed, '
                || pt_count(k.in_lake, 'event', 'events') || ' in the margin around it): no cloud call of the window can be attributed'
        end
    from cloud_counts as k
    cross join range as r
    where k.in_window = 0
),

final as (
    select * from late_start
    union all select * from missing_cloud
    union all select * from inventory_span
    union all select * from ok_sources
    union all select * from missing_sources
)

select * from final
