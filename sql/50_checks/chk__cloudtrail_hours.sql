-- The hours of the window whose events no CloudTrail log file holds, per account and region (the
-- S3 log files' recorded origin keys, AWSLogs/<account>/CloudTrail/<region>/...): a gap when the
-- region's files show steady activity (6 events an hour or more), else unknown; and one ok finding
-- per region whose files cover every hour.
create or replace view chk__cloudtrail_hours as

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

final as (
    select * from missing_findings
    union all
    select * from region_ok
)

select * from final
