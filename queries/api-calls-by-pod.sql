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
        m.ts,
        m.event_id,
        m.event_source,
        m.event_name,
        e.error_code,
        m.link,
        m.confidence,
        m.path,
        m.rule_id,
        m.principal_arn,
        m.access_key_id,
        m.source_ip,
        e.aws_region,
        m.candidate_count
    from (select * from attributed union all by name select * from as_candidate) as m
    left join cloud_events as e on e.event_id = m.event_id
)

select * from final
order by ts, event_id
