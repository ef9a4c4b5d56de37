-- name: api-calls-by-pod
-- description: Cloud API calls made by one pod (attributed proven or strong), and ambiguous calls that still list it as a candidate.
-- params: $pod_uid varchar
--
-- link: attributed (the pod is the answer) | candidate (ambiguous: the pod is one of the candidates).
-- Reads attributions (one row per cloud call) and cloud_events (outcome of the call).

with

attributions as (
    select * from attributions
),

cloud_events as (
    select event_id, error_code, aws_region, read_only from cloud_events
),

attributed as (
    select a.*, 'attributed' as link
    from attributions as a
    where a.pod_uid = $pod_uid
),

as_candidate as (
    select a.*, 'candidate' as link
    from attributions as a
    where a.pod_uid is null
        and a.confidence = 'ambiguous'
        and exists (
            select 1
            from (select unnest(from_json(a.candidates, '[{"pod_uid": "VARCHAR"}]')) as c)
            where c.pod_uid = $pod_uid
        )
),

final as (
    select
        -- ids
        m.event_id,
        -- dimensions
        m.link,
        m.confidence,
        m.path,
        m.rule_id,
        m.event_source,
        m.event_name,
        e.error_code,
        e.aws_region,
        m.principal_arn,
        m.access_key_id,
        m.source_ip,
        m.candidate_count,
        -- timestamps (UTC)
        m.ts
    from (select * from attributed union all by name select * from as_candidate) as m
    left join cloud_events as e on e.event_id = m.event_id
)

select
    ts,
    event_id,
    event_source,
    event_name,
    error_code,
    link,
    confidence,
    path,
    rule_id,
    principal_arn,
    access_key_id,
    source_ip,
    aws_region,
    candidate_count
from final
order by ts, event_id
