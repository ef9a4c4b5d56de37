-- Check cloudtrail-integrity: what CloudTrail's own digests prove about the trail files of the
-- case (cloudtrail_validation, computed by podtrail correlate), per hour of the window and region,
-- plus one finding per digest or log file that is not valid.
-- An hour of an account and region is:
--   gap      when a digest chain has a GAP over it (no digest covers deliveries then), a digest
--            delivered in it is INVALID or missing, or a log file delivered in it (or holding
--            events of it) is INVALID or UNREFERENCED: the trail was altered, or cannot be shown
--            complete;
--   unknown  when no valid digest covers it, or a file of it is UNVERIFIABLE (no signature, no key,
--            no digest for the region): nothing is wrong that podtrail can see, nothing is proven;
--   ok       when valid digests cover it and every log file of it is valid.
-- Hours are those of the window (window_from to window_to, the first and last clipped to it);
-- regions are those with trail files. A log file concerns the hours it was delivered in and the
-- hours of its events.
-- value: events of the hour that come from log files not validated.
create or replace view chk_cloudtrail_integrity as

with

range as (
    select * from chk__range
),

verdicts as (
    select * from cloudtrail_validation
),

regions as (
    select distinct account_id, region from verdicts where account_id is not null and region is not null
),

hours as (
    -- each hour of the window, clipped to it
    select
        g.account_id,
        g.region,
        hour,
        greatest(hour, r.window_from) as h_from,
        least(hour + interval 1 hour, r.window_to) as h_to
    from regions as g
    cross join range as r
    cross join unnest(generate_series(date_trunc('hour', r.window_from), r.window_to - interval 1 second, interval 1 hour)) as t(hour)
),

log_events as (
    select
        v.account_id,
        v.region,
        date_trunc('hour', c.ts) as hour,
        count(*) as events,
        count(*) filter (where v.status <> 'valid') as events_not_validated
    from cloud_events as c
    inner join verdicts as v on v.evidence_file_id = c.evidence_file_id and v.object_kind = 'log'
    group by all
),

logs as (
    -- a log file concerns the hours it was delivered in and the hours of its events
    select * from verdicts where object_kind = 'log'
),

per_hour as (
    select
        h.account_id,
        h.region,
        h.hour,
        h.h_from,
        h.h_to,
        (select count(*) from verdicts as g
            where g.object_kind = 'gap' and g.account_id = h.account_id and g.region = h.region
                and coalesce(g.interval_from, timestamp '0001-01-01') < h.h_to and g.interval_to > h.h_from) as chain_gaps,
        (select count(*) from verdicts as d
            where d.object_kind = 'digest' and d.status = 'INVALID' and d.account_id = h.account_id and d.region = h.region
                and d.delivered_at >= h.h_from and d.delivered_at < h.h_to) as digests_invalid,
        (select count(*) from verdicts as d
            where d.object_kind = 'digest' and d.status = 'valid' and d.account_id = h.account_id and d.region = h.region
                and d.interval_from < h.h_to and d.interval_to > h.h_from) as digests_covering,
        (select count(*) from verdicts as d
            where d.object_kind = 'digest' and d.status = 'UNVERIFIABLE' and d.account_id = h.account_id and d.region = h.region
                and d.interval_from < h.h_to and d.interval_to > h.h_from) as digests_unverifiable,
        (select list(l.status order by l.status) from logs as l
            where l.account_id = h.account_id and l.region = h.region
                and ((l.delivered_at >= h.h_from and l.delivered_at < h.h_to) or (l.interval_from < h.h_to and l.interval_to >= h.h_from))) as log_statuses,
        (select min(l.reason) from logs as l
            where l.account_id = h.account_id and l.region = h.region and l.status <> 'valid'
                and ((l.delivered_at >= h.h_from and l.delivered_at < h.h_to) or (l.interval_from < h.h_to and l.interval_to >= h.h_from))) as first_reason,
        coalesce(e.events, 0) as events,
        coalesce(e.events_not_validated, 0) as events_not_validated
    from hours as h
    left join log_events as e on e.account_id = h.account_id and e.region = h.region and e.hour = h.hour
),

counted as (
    select
        *,
        len(list_filter(coalesce(log_statuses, []), x -> x = 'valid')) as logs_valid,
        len(list_filter(coalesce(log_statuses, []), x -> x = 'INVALID')) as logs_invalid,
        len(list_filter(coalesce(log_statuses, []), x -> x = 'UNREFERENCED')) as logs_unreferenced,
        len(list_filter(coalesce(log_statuses, []), x -> x = 'UNVERIFIABLE')) as logs_unverifiable
    from per_hour
),

hour_findings as (
    select
        'cloudtrail-integrity' as check_id,
        'trail-hour' as kind,
        'cloudtrail-integrity:' || account_id || ':' || region || ':' || strftime(hour, '%Y-%m-%dT%H') as finding_id,
        case
            when chain_gaps > 0 or digests_invalid > 0 or logs_invalid > 0 or logs_unreferenced > 0 then 'gap'
            when digests_covering = 0 or digests_unverifiable > 0 or logs_unverifiable > 0 then 'unknown'
            else 'ok'
        end as status,
        'cloudtrail' as source,
        null::VARCHAR as node_name,
        region,
        h_from as interval_from,
        h_to as interval_to,
        epoch(h_to) - epoch(h_from) as seconds,
        events_not_validated::DOUBLE as value,
        to_json({
            'account_id': account_id, 'chain_gaps': chain_gaps, 'digests_invalid': digests_invalid,
            'digests_valid_covering': digests_covering, 'digests_unverifiable': digests_unverifiable,
            'logs_valid': logs_valid, 'logs_invalid': logs_invalid, 'logs_unreferenced': logs_unreferenced,
            'logs_unverifiable': logs_unverifiable, 'events': events, 'events_not_validated': events_not_validated
        }) as detail,
        account_id || '/' || region || ' ' || strftime(hour, '%Y-%m-%dT%H:00Z') || ': '
            || case
                when chain_gaps > 0 then 'no digest covers deliveries of this hour (the digest chain has a gap)'
                when digests_invalid > 0 then digests_invalid || ' digest file(s) INVALID or missing'
                when logs_invalid > 0 then logs_invalid || ' log file(s) INVALID (' || first_reason || ')'
                when logs_unreferenced > 0 then logs_unreferenced || ' log file(s) listed in no digest'
                when digests_covering = 0 then 'no valid digest covers this hour'
                when digests_unverifiable > 0 or logs_unverifiable > 0 then 'log files not verifiable (' || coalesce(first_reason, 'digest not verifiable') || ')'
                else 'every log file validated against a valid digest (' || logs_valid || ' files)'
            end
            || case when events_not_validated > 0 then '; ' || events_not_validated || ' of ' || events || ' events come from log files not validated' else '' end as message
    from counted
),

object_findings as (
    select
        'cloudtrail-integrity',
        case when object_kind = 'digest' then 'trail-digest-' else 'trail-log-' end || lower(status),
        'cloudtrail-integrity:' || object_kind || ':' || coalesce(s3_key, '?') || ':' || coalesce(evidence_file_id, 'missing'),
        case when status = 'UNVERIFIABLE' then 'unknown' else 'gap' end,
        'cloudtrail', null, region,
        coalesce(interval_from, delivered_at), coalesce(interval_to, delivered_at),
        coalesce(epoch(interval_to) - epoch(interval_from), 0.0), null::DOUBLE,
        to_json({'account_id': account_id, 's3_bucket': s3_bucket, 's3_key': s3_key, 'evidence_file_id': evidence_file_id, 'status': status, 'reason': reason, 'digest_key': digest_key}),
        replace(message, chr(9), ' ')
    from verdicts
    where object_kind in ('digest', 'log') and status in ('INVALID', 'UNREFERENCED')
        or (object_kind = 'digest' and status = 'UNVERIFIABLE')
),

final as (
    select * from hour_findings
    union all select * from object_findings
)

select * from final
