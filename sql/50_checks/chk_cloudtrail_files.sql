-- Check 2 (CloudTrail): hours of the window whose events no CloudTrail log file holds, per account
-- and region. The account and region come from each S3 log file's recorded origin key
-- (AWSLogs/<account>/CloudTrail/<region>/...), never from the local path; an hour is covered when a
-- log file holds events of that hour (landed, or counted as duplicates of a lookup-events copy).
-- The delivery time in the key is not used: a file delivered at 08:04 holds 07:5x events.
-- CloudTrail writes no file for an hour without events, so an uncovered hour is a gap only when the
-- region's log files show steady activity (at least 6 events an hour over the examined range,
-- which leaves a quiet hour a chance under 0.3%); otherwise it is unknown. Also: the lookup-events
-- horizon (90 days before the lookup ran) and data events absent while management events are present.
-- The hours come from chk__cloudtrail_hours, the lookup-events horizons from chk__lookup_horizons;
-- here, the data events.
create or replace view chk_cloudtrail_files as

with

range as (
    select * from chk__range
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
    select * from chk__cloudtrail_hours
    union all select * from chk__lookup_horizons
    union all select * from data_findings
)

select * from final
