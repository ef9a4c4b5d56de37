-- Check 2 (CloudTrail): hours of the window whose events no CloudTrail log file holds, per account
-- and region. The account and region come from each S3 log file's recorded origin key
-- (AWSLogs/<account>/CloudTrail/<region>/...), never from the local path; an hour is covered when a
-- log file holds events of that hour (landed, or counted as duplicates of a lookup-events copy).
-- The delivery time in the key is not used: a file delivered at 08:04 holds 07:5x events.
-- CloudTrail writes no file for an hour without events, so an uncovered hour is a gap only when the
-- region's log files show steady activity (at least 6 events an hour over the examined range,
-- which leaves a quiet hour a chance under 0.3%); otherwise it is unknown. Also: the lookup-events
-- horizon (90 days before the lookup ran) and data events absent while management events are present.
create or replace view chk_cloudtrail_files as

with

range as (
    select * from chk__range
),

s3_files as (
    select
        evidence_file_id,
        s3_key,
        regexp_extract(s3_key, 'AWSLogs/([0-9]+)/CloudTrail/([a-z0-9-]+)/', 1) as account_id,
        regexp_extract(s3_key, 'AWSLogs/([0-9]+)/CloudTrail/([a-z0-9-]+)/', 2) as region,
        try_strptime(regexp_extract(s3_key, '_(\d{8}T\d{4})Z_', 1), '%Y%m%dT%H%M') as delivered_at
    from evidence_files
    where s3_key is not null and source_type = 'cloudtrail' and s3_key like '%/CloudTrail/%'
),

s3_event_times as (
    select f.account_id, f.region, c.ts
    from cloud_events as c
    inner join s3_files as f on f.evidence_file_id = c.evidence_file_id
    union all
    select f.account_id, f.region, d.ts
    from ingest_duplicates as d
    inner join s3_files as f on f.evidence_file_id = d.evidence_file_id
),

regions as (
    select account_id, region, count(*) as files from s3_files where region <> '' group by account_id, region
),

hours as (
    select g.account_id, g.region, unnest(generate_series(date_trunc('hour', r.window_from), r.window_to - interval 1 second, interval 1 hour)) as hour
    from regions as g
    cross join range as r
),

covered as (
    select distinct account_id, region, date_trunc('hour', ts) as hour from s3_event_times
),

rates as (
    select e.account_id, e.region, count(*) / ((epoch(any_value(r.range_to)) - epoch(any_value(r.range_from))) / 3600.0) as events_per_hour
    from s3_event_times as e
    cross join range as r
    where e.ts between r.range_from and r.range_to
    group by e.account_id, e.region
),

missing as (
    select h.account_id, h.region, h.hour, r.events_per_hour
    from hours as h
    left join covered as c on c.account_id = h.account_id and c.region = h.region and c.hour = h.hour
    left join rates as r on r.account_id = h.account_id and r.region = h.region
    where c.hour is null
),

missing_findings as (
    select
        'cloudtrail-files' as check_id,
        'cloudtrail-hour-missing' as kind,
        'cloudtrail-files:' || account_id || ':' || region || ':' || strftime(hour, '%Y-%m-%dT%H') as finding_id,
        case when coalesce(events_per_hour, 0) >= 6 then 'gap' else 'unknown' end as status,
        'cloudtrail' as source,
        null::VARCHAR as node_name,
        region,
        greatest(hour, rg.window_from) as interval_from,
        least(hour + interval 1 hour, rg.range_to) as interval_to,
        3600.0 as seconds,
        events_per_hour as value,
        to_json({'account_id': account_id, 'events_per_hour': round(events_per_hour, 1)}) as detail,
        'no CloudTrail log file for ' || strftime(hour, '%Y-%m-%dT%H:00Z') || ' in ' || account_id || '/' || region
            || case when coalesce(events_per_hour, 0) >= 6 then ' while the trail delivers ' || round(events_per_hour, 1) || ' events/hour: a delivery is missing'
                    else ' (the trail is too quiet to tell a missing file from an idle hour)' end as message
    from missing
    cross join range as rg
),

region_ok as (
    select
        'cloudtrail-files', 'cloudtrail-files-complete', 'cloudtrail-files:' || g.account_id || ':' || g.region,
        'ok', 'cloudtrail', null, g.region, r.window_from, r.window_to, 0.0, g.files::DOUBLE,
        to_json({'account_id': g.account_id, 'files': g.files}),
        'CloudTrail log files cover every hour of the window in ' || g.account_id || '/' || g.region
    from regions as g
    cross join range as r
    where not exists (select 1 from missing as m where m.account_id = g.account_id and m.region = g.region)
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
        'cloudtrail-files', 'lookup-events-horizon', 'cloudtrail-files:lookup:' || v.evidence_file_id,
        v.status,
        'cloudtrail', null, null,
        v.window_from, greatest(v.window_from, v.horizon), greatest(0, epoch(v.horizon) - epoch(v.window_from)), 90.0,
        to_json({
            'evidence_file_id': v.evidence_file_id, 'file_name': v.file_name,
            'ran_at': strftime(v.ran_at, '%Y-%m-%dT%H:%M:%SZ'), 'ran_at_from': v.ran_at_from,
            'newest_event_at': strftime(v.newest_at, '%Y-%m-%dT%H:%M:%SZ'),
            'acquired_at': strftime(v.acquired_at, '%Y-%m-%dT%H:%M:%SZ')
        }),
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
        end
    from lookup_verdicts as v
),

categories as (
    select
        count(*) filter (where event_category = 'management') as management,
        count(*) filter (where event_category = 'data') as data_events
    from cloud_events
),

data_findings as (
    select
        'cloudtrail-files', case when data_events = 0 then 'no-data-events' else 'data-events-present' end,
        'cloudtrail-files:data-events',
        case when data_events = 0 then 'gap' else 'ok' end,
        'cloudtrail', null, null, r.window_from, r.window_to, epoch(r.window_to) - epoch(r.window_from), data_events::DOUBLE,
        to_json({'management_events': management, 'data_events': data_events}),
        case
            when data_events = 0 then 'no data events (S3 object calls, Lambda invocations, ...) among ' || management
                || ' management events: the trail may not log data events, so an exfiltration with PutObject or GetObject may not be logged at all'
            else data_events || ' data events logged'
        end
    from categories
    cross join range as r
    where management > 0
),

final as (
    select * from missing_findings
    union all select * from region_ok
    union all select * from lookup_findings
    union all select * from data_findings
)

select * from final
