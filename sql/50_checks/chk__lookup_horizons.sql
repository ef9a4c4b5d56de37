-- The lookup-events horizon of each lookup-events output file: the API returns the last 90 days
-- only, counted from when the lookup ran (declared at ingest, or the collection log's request for
-- the file's bytes; else bounded by the file's newest event and its acquisition).
create or replace view chk__lookup_horizons as

with

range as (
    select * from chk__range
),

lookup_files as (
    -- lookup-events output, told by its records (/Events/<i>), landed or seen again as duplicates of
    -- another copy: never an EventBridge archive or a file of single events
    select e.evidence_file_id, regexp_extract(e.origin, '[^/]+$') as file_name, e.acquired_at, e.collected_at, e.sha256
    from evidence_files as e
    where e.source_type = 'cloudtrail'
        and (exists (select 1 from cloud_events as c where c.evidence_file_id = e.evidence_file_id and c.delivery = 'lookup-events')
            or exists (select 1 from ingest_duplicates as d where d.evidence_file_id = e.evidence_file_id and d.record_path like '/Events/%'))
),

lookup_newest as (
    select evidence_file_id, max(ts) as newest_at
    from (
        select evidence_file_id, ts from cloud_events where delivery = 'lookup-events'
        union all
        select evidence_file_id, ts from ingest_duplicates where record_path like '/Events/%'
    )
    group by evidence_file_id
),

lookup_requests as (
    -- a page podtrail collect aws fetched: the request that returned exactly these bytes
    select response_sha256, min(requested_at) as requested_at
    from collection_log
    where response_sha256 is not null and requested_at is not null
    group by response_sha256
),

lookups as (
    -- when the lookup ran: declared at ingest (--collected-at), or the collection log's request for
    -- these bytes; else only bounded: not before the file's newest event, not after its acquisition
    select
        f.evidence_file_id,
        f.file_name,
        f.acquired_at,
        coalesce(f.collected_at, q.requested_at) as ran_at,
        case when f.collected_at is not null then 'declared' when q.requested_at is not null then 'collection-log' end as ran_at_from,
        n.newest_at
    from lookup_files as f
    left join lookup_requests as q on q.response_sha256 = f.sha256
    left join lookup_newest as n on n.evidence_file_id = f.evidence_file_id
),

lookup_verdicts as (
    select
        l.*,
        r.window_from,
        case
            when l.ran_at is not null then (case when l.ran_at - interval 90 days > r.window_from then 'gap' else 'ok' end)
            -- the lookup ran before the file was acquired: a horizon before the window start then
            when l.acquired_at - interval 90 days <= r.window_from then 'ok'
            -- the lookup ran after the file's newest event: its horizon is at least that late
            when l.newest_at - interval 90 days > r.window_from then 'gap'
            else 'unknown'
        end as status,
        -- the horizon: exact when the run time is known, else the earliest it can be
        coalesce(l.ran_at, l.newest_at, l.acquired_at) - interval 90 days as horizon
    from lookups as l
    cross join range as r
),

lookup_findings as (
    select
        'cloudtrail-files' as check_id,
        'lookup-events-horizon' as kind,
        'cloudtrail-files:lookup:' || v.evidence_file_id as finding_id,
        v.status,
        'cloudtrail' as source,
        null::VARCHAR as node_name,
        null::VARCHAR as region,
        v.window_from as interval_from,
        greatest(v.window_from, v.horizon) as interval_to,
        greatest(0, epoch(v.horizon) - epoch(v.window_from)) as seconds,
        90.0 as value,
        to_json({
            'evidence_file_id': v.evidence_file_id, 'file_name': v.file_name,
            'ran_at': strftime(v.ran_at, '%Y-%m-%dT%H:%M:%SZ'), 'ran_at_from': v.ran_at_from,
            'newest_event_at': strftime(v.newest_at, '%Y-%m-%dT%H:%M:%SZ'),
            'acquired_at': strftime(v.acquired_at, '%Y-%m-%dT%H:%M:%SZ')
        }) as detail,
        case
            when v.status = 'ok' and v.ran_at is not null then
                'lookup-events output ' || v.file_name || ' (evidence ' || v.evidence_file_id || '), run ' || strftime(v.ran_at, '%Y-%m-%d')
                || ', reaches back over the whole window (90-day horizon)'
            when v.status = 'ok' then
                'lookup-events output ' || v.file_name || ' (evidence ' || v.evidence_file_id || ') was run before its acquisition on '
                || strftime(v.acquired_at, '%Y-%m-%d') || ', so its 90-day horizon is before the window'
            when v.status = 'gap' and v.ran_at is not null then
                'lookup-events only returns the last 90 days: ' || v.file_name || ' (evidence ' || v.evidence_file_id || ') was run '
                || strftime(v.ran_at, '%Y-%m-%d') || case v.ran_at_from when 'declared' then ' (ingest --collected-at)' else ' (collection log)' end
                || ', so events before ' || strftime(v.horizon, '%Y-%m-%d') || ' are missing from it'
            when v.status = 'gap' then
                'lookup-events only returns the last 90 days: ' || v.file_name || ' (evidence ' || v.evidence_file_id || ') holds an event of '
                || strftime(v.newest_at, '%Y-%m-%d') || ', so it ran no earlier and events before ' || strftime(v.horizon, '%Y-%m-%d')
                || ' at least are missing from it (when it ran is not recorded: ingest --collected-at declares it)'
            else
                'when lookup-events output ' || v.file_name || ' (evidence ' || v.evidence_file_id || ') was run is not recorded: between its newest event ('
                || strftime(v.newest_at, '%Y-%m-%d') || ') and its acquisition (' || strftime(v.acquired_at, '%Y-%m-%d')
                || '), so its 90-day horizon may cut the window; ingest --collected-at declares it'
        end as message
    from lookup_verdicts as v
),

final as (
    select * from lookup_findings
)

select * from final
