-- int_timeline__cloud_lines: every CloudTrail event (cloud_events, one per eventID) as a timeline
-- line's columns, before its JSON (mart_timeline writes that). log_validation is its log file's
-- digest verdict (cloudtrail_validation): valid, INVALID, UNVERIFIABLE or UNREFERENCED;
-- not-validated when the event did not come from a trail log file (lookup-events output,
-- EventBridge, single events): only valid is proven unaltered.
create or replace view int_timeline__cloud_lines as

with

log_status as (
    select evidence_file_id, min(status) as status
    from cloudtrail_validation
    where object_kind = 'log' and evidence_file_id is not null
    group by evidence_file_id
),

final as (
    select
        row_id,
        'cloudtrail' as source,
        ts::TIMESTAMP_NS as ts,
        event_id,
        delivery,
        event_source,
        event_name,
        aws_region,
        read_only,
        error_code,
        principal_arn,
        access_key_id,
        session_name,
        source_ip,
        vpc_endpoint_id,
        user_agent,
        coalesce(s.status, 'not-validated') as log_validation
    from cloud_events
    left join log_status as s using (evidence_file_id)
)

select * from final
