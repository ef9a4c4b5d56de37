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

by_key as (
    select
        c.access_key_id,
        c.access_key_id as credential,
        o.pod_uid,
        coalesce(l.namespace, s.subject_namespace) as owner_namespace,
        coalesce(l.service_account, s.subject_service_account) as owner_service_account,
        null::VARCHAR as owner_node_name,
        o.owned_by,
        c.source_ip,
        c.event_id,
        c.call,
        c.target,
        c.ts
    from outside as c
    inner join owners as o on o.access_key_id = c.access_key_id
    left join lifecycle as l on l.pod_uid = o.pod_uid
    left join sessions as s on s.access_key_id = c.access_key_id
),

by_web_identity as (
    select
        c.issued_access_key_id as access_key_id,
        'web identity token of ' || coalesce(s.subject_namespace, c.pod_namespace, '?') || ':' || c.service_account as credential,
        null::VARCHAR as pod_uid,
        coalesce(s.subject_namespace, c.pod_namespace) as owner_namespace,
        coalesce(s.subject_service_account, c.service_account) as owner_service_account,
        null::VARCHAR as owner_node_name,
        'service-account' as owned_by,
        c.source_ip,
        c.event_id,
        c.call,
        c.target,
        c.ts
    from outside as c
    left join sessions as s on s.issuing_event_id = c.event_id
    where c.event_name = 'AssumeRoleWithWebIdentity' and c.service_account is not null
),

-- a node-role session (instance credentials) used from outside: the node's credential
by_node_key as (
    select
        c.access_key_id,
        c.access_key_id as credential,
        null::VARCHAR as pod_uid,
        null::VARCHAR as owner_namespace,
        null::VARCHAR as owner_service_account,
        s.subject_node_name as owner_node_name,
        'node-role' as owned_by,
        c.source_ip,
        c.event_id,
        c.call,
        c.target,
        c.ts
    from outside as c
    inner join sessions as s on s.access_key_id = c.access_key_id
    where s.subject_type = 'instance' and s.subject_node_name is not null
        and not exists (select 1 from owners as o where o.access_key_id = c.access_key_id)
),

-- calls with a key issued to a service account from outside (not owned by any pod)
by_sa_key as (
    select
        c.access_key_id,
        c.access_key_id as credential,
        null::VARCHAR as pod_uid,
        s.subject_namespace as owner_namespace,
        s.subject_service_account as owner_service_account,
        null::VARCHAR as owner_node_name,
        'service-account' as owned_by,
        c.source_ip,
        c.event_id,
        c.call,
        c.target,
        c.ts
    from outside as c
    inner join sessions as s on s.access_key_id = c.access_key_id
    where s.subject_service_account is not null
        and not exists (select 1 from owners as o where o.access_key_id = c.access_key_id)
),

final as (
    select * from by_key
    union all select * from by_web_identity
    union all select * from by_sa_key
    union all select * from by_node_key
)

select * from final
