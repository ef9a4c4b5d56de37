-- name: pod-credentials
-- description: Sessions and access keys issued to one pod or used by it: Pod Identity session tags, issuing calls the pod made, keys its calls used; with who else used them.
-- params: $pod_uid varchar
--
-- links: session-tag (EKS Pod Identity tag kubernetes-pod-uid) | issued-by-pod (the issuing call
-- is attributed to the pod: IRSA AssumeRoleWithWebIdentity, CreateAccessKey, role chaining) |
-- used-by-pod (a call attributed to the pod used the key).
-- calls_elsewhere counts calls with the key not attributed to this pod (other pods, outside, unknown).

with

sessions as (
    select * from credential_sessions
),

attributions as (
    select event_id, ts, pod_uid, access_key_id from attributions
),

linked as (
    select access_key_id, 'session-tag' as link
    from sessions
    where subject_pod_uid = $pod_uid
    union all
    select s.access_key_id, 'issued-by-pod' as link
    from sessions as s
    inner join attributions as a on a.event_id = s.issuing_event_id
    where a.pod_uid = $pod_uid
    union all
    select distinct access_key_id, 'used-by-pod' as link
    from attributions
    where pod_uid = $pod_uid and access_key_id is not null
),

links as (
    select access_key_id, list(distinct link order by link) as links
    from linked
    group by access_key_id
),

usage as (
    select
        a.access_key_id,
        count(*) filter (where a.pod_uid = $pod_uid) as calls_by_pod,
        count(*) filter (where a.pod_uid is distinct from $pod_uid) as calls_elsewhere,
        min(a.ts) filter (where a.pod_uid = $pod_uid) as first_used_by_pod_at,
        max(a.ts) filter (where a.pod_uid = $pod_uid) as last_used_by_pod_at
    from attributions as a
    inner join links as l on l.access_key_id = a.access_key_id
    group by a.access_key_id
),

final as (
    select
        l.access_key_id,
        l.links,
        s.issuing_event_id,
        s.issuing_event_name,
        s.issued_at,
        s.expires_at,
        s.role_arn,
        s.session_name,
        s.subject_type,
        s.subject,
        s.parent_access_key_id,
        s.resolution,
        coalesce(u.calls_by_pod, 0) as calls_by_pod,
        coalesce(u.calls_elsewhere, 0) as calls_elsewhere,
        u.first_used_by_pod_at,
        u.last_used_by_pod_at
    from links as l
    left join sessions as s on s.access_key_id = l.access_key_id
    left join usage as u on u.access_key_id = l.access_key_id
)

select * from final
order by issued_at nulls last, first_used_by_pod_at nulls last, access_key_id
