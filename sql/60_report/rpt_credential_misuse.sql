-- Cloud credentials of a pod used from outside the cluster: one row per call made with a pod's key
-- (or with its service account's web identity token) from a public address that is no declared
-- egress of the cluster. A key belongs to a pod when its Pod Identity tag names the pod, when the call
-- that issued or created it is attributed (proven or strong) to the pod, or when every proven or
-- strong call made with it is that one pod's. An IRSA web identity token belongs to its service
-- account: which pod it was lifted from is for the reader (the candidates are the account's pods);
-- a node-role session key, to its node.
-- When correlation gains its own credential_misuse table, this view reads it instead.
create or replace view rpt_credential_misuse as

with

calls as (
    select * from rpt_calls
),

sessions as (
    select access_key_id, issuing_event_id, subject_type, subject_pod_uid, subject_namespace, subject_service_account, subject_node_name
    from credential_sessions
),

decided as (
    select * from calls where confidence in ('proven', 'strong') and pod_uid is not null
),

issued_to_pod as (
    select d.issued_access_key_id as access_key_id, d.pod_uid, 'issued-to-pod' as owned_by
    from decided as d
    where d.issued_access_key_id is not null
),

tagged as (
    select access_key_id, subject_pod_uid as pod_uid, 'pod-identity-tag' as owned_by
    from sessions
    where subject_pod_uid is not null
),

-- session keys only: long-term keys (AKIA) and node-role sessions are shared by design
used_by_one_pod as (
    select d.access_key_id, min(d.pod_uid) as pod_uid, 'used-by-pod' as owned_by
    from decided as d
    left join sessions as s on s.access_key_id = d.access_key_id
    where d.access_key_id like 'ASIA%' and coalesce(s.subject_type, '') <> 'instance'
    group by d.access_key_id
    having count(distinct pod_uid) = 1
),

owners as (
    select access_key_id, arg_min(pod_uid, priority) as pod_uid, arg_min(owned_by, priority) as owned_by
    from (
        select *, 1 as priority from tagged
        union all select *, 2 from issued_to_pod
        union all select *, 3 from used_by_one_pod
    )
    group by access_key_id
),

lifecycle as (
    select pod_uid, any_value(namespace) as namespace, any_value(service_account) as service_account
    from pod_lifecycle
    group by pod_uid
),

outside as (
    select * from calls where from_outside and confidence not in ('proven', 'strong')
),

-- each outside call with whose credential it used: the key's owning pod, else the web identity
-- token (an AssumeRoleWithWebIdentity from outside) or key of a service account, else a node's
-- instance credentials
owned as (
    select
        c.*,
        o.pod_uid as owner_pod_uid,
        o.owned_by as pod_owned_by,
        c.event_name = 'AssumeRoleWithWebIdentity' and c.service_account is not null as web_identity,
        coalesce(w.subject_namespace, s.subject_namespace) as subject_namespace,
        coalesce(w.subject_service_account, s.subject_service_account) as subject_service_account,
        case when s.subject_type = 'instance' then s.subject_node_name end as subject_node_name
    from outside as c
    left join owners as o on o.access_key_id = c.access_key_id
    left join sessions as s on s.access_key_id = c.access_key_id
    left join sessions as w on w.issuing_event_id = c.event_id
),

final as (
    select
        case when d.web_identity then d.issued_access_key_id else d.access_key_id end as access_key_id,
        case
            when d.web_identity then 'web identity token of ' || coalesce(d.subject_namespace, d.pod_namespace, '?') || ':' || d.service_account
            else d.access_key_id
        end as credential,
        d.owner_pod_uid as pod_uid,
        coalesce(l.namespace, d.subject_namespace, case when d.web_identity then d.pod_namespace end) as owner_namespace,
        coalesce(l.service_account, d.subject_service_account, case when d.web_identity then d.service_account end) as owner_service_account,
        case when d.owner_pod_uid is null and not d.web_identity and d.subject_service_account is null then d.subject_node_name end as owner_node_name,
        case
            when d.owner_pod_uid is not null then d.pod_owned_by
            when d.web_identity or d.subject_service_account is not null then 'service-account'
            else 'node-role'
        end as owned_by,
        d.source_ip,
        d.event_id,
        d.call,
        d.target,
        d.ts
    from owned as d
    left join lifecycle as l on l.pod_uid = d.owner_pod_uid
    where d.owner_pod_uid is not null or d.web_identity or d.subject_service_account is not null or d.subject_node_name is not null
)

select * from final
