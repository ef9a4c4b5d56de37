-- credential_misuse: cloud credentials of a pod used from outside the cluster. One row per call made
-- from a public address no egress fact explains (egress_facts: declared, collected or learned; the
-- call itself not decided proven or strong) with a credential that belongs to a pod, a service
-- account or a node:
--   pod-identity-tag  the key's Pod Identity session tag names the pod (a chained key: its root's)
--   issued-to-pod     the call that issued or created the key is decided proven or strong to the pod
--   chain             a chained key whose root key was issued to the pod (tag, or issuing call decided)
--   used-by-pod       a session key (ASIA..., no node-role session) whose every proven or strong call
--                     names that one pod
--   service-account   an IRSA key or web identity token of the account, or a Pod Identity key issued
--                     before the evidence and never used in it by a pod (the call's own record shows
--                     web identity federation or a Pod Identity session name, and its role serves that
--                     one account: int_attr__events' sa_namespace/sa_name); which pod it was lifted
--                     from is open: the account's pods are the candidates
--   node-role         a node's instance credentials
-- Long-term keys (AKIA...) found in use by pods are shared by design and belong to no pod.
-- pod_gone: the owning pod no longer ran when the call was made (credentials replayed after it);
-- null when no one pod owns the credential.
-- Total order by event_id.
create or replace view mart_credential_misuse as

with

attributions_ as (
    select * from attributions
),

events as (
    select event_id, event_name, issued_access_key_id from cloud_events
),

sessions as (
    select * from credential_sessions
),

chains as (
    select * from int_cloud__chains
),

-- the path and service account each call's own record and its role establish (a key issued before
-- the window has no session subject, but a web identity or Pod Identity session of a role that
-- serves one service account is that account's)
call_subjects as (
    select event_id, sa_namespace, sa_name
    from int_attr__events
    where path in ('irsa', 'pod-identity') and sa_name is not null
),

lifecycle as (
    select pod_uid, min(namespace) as namespace, min(name) as name, min(service_account) as service_account,
        max(coalesce(valid_to, '9999-12-31'::TIMESTAMP)) as last_at
    from pod_lifecycle
    group by pod_uid
),

decided as (
    select * from attributions_ where confidence in ('proven', 'strong') and pod_uid is not null
),

tagged as (
    select access_key_id, subject_pod_uid as pod_uid, 'pod-identity-tag' as owned_by
    from sessions
    where subject_pod_uid is not null
),

issued_to_pod as (
    select s.access_key_id, d.pod_uid, 'issued-to-pod' as owned_by
    from sessions as s
    inner join decided as d on d.event_id = s.issuing_event_id
),

used_by_one_pod as (
    -- session keys only: long-term keys and node-role sessions are shared by design
    select d.access_key_id, min(d.pod_uid) as pod_uid, 'used-by-pod' as owned_by
    from decided as d
    left join sessions as s on s.access_key_id = d.access_key_id
    where d.access_key_id like 'ASIA%' and coalesce(s.subject_type, '') <> 'instance'
    group by d.access_key_id
    having count(distinct d.pod_uid) = 1
),

direct_owners as (
    select access_key_id, arg_min(pod_uid, priority) as pod_uid, arg_min(owned_by, priority) as owned_by
    from (
        select *, 1 as priority from tagged
        union all select *, 2 from issued_to_pod
        union all select *, 3 from used_by_one_pod
    )
    group by access_key_id
),

owners as (
    -- a chained key belongs to its root key's pod unless it has an owner of its own
    select access_key_id, arg_min(pod_uid, priority) as pod_uid, arg_min(owned_by, priority) as owned_by
    from (
        select access_key_id, pod_uid, owned_by, 1 as priority from direct_owners
        union all
        select c.access_key_id, o.pod_uid, 'chain', 2
        from chains as c
        inner join direct_owners as o on o.access_key_id = c.root_key
    )
    group by access_key_id
),

cluster_sources as (
    -- calls from an address of the cluster's own (a dual-stack node's or pod's global IPv6, a
    -- node interface's address): inside, whatever its range (int_cloud__calls.source_is_private)
    select event_id from int_attr__events where source_is_private
),

outside as (
    select a.*, e.event_name = 'AssumeRoleWithWebIdentity' as web_identity, e.issued_access_key_id
    from attributions_ as a
    inner join events as e on e.event_id = a.event_id
    where pt_is_public_ip(a.source_ip) and a.egress_fact_id is null and a.confidence not in ('proven', 'strong')
        and a.event_id not in (select event_id from cluster_sources)
),

owned as (
    select
        c.*,
        o.pod_uid as owner_pod_uid,
        o.owned_by as pod_owned_by,
        coalesce(w.subject_namespace, s.subject_namespace, ch.root_namespace, cs.sa_namespace) as subject_namespace,
        coalesce(w.subject_service_account, s.subject_service_account, ch.root_service_account, cs.sa_name) as subject_service_account,
        case when coalesce(ch.root_subject_type, s.subject_type) = 'instance' then coalesce(ch.root_node_name, s.subject_node_name) end as subject_node_name
    from outside as c
    left join owners as o on o.access_key_id = c.access_key_id
    left join sessions as s on s.access_key_id = c.access_key_id
    left join chains as ch on ch.access_key_id = c.access_key_id
    left join sessions as w on c.web_identity and w.issuing_event_id = c.event_id
    left join call_subjects as cs on cs.event_id = c.event_id
),

final as (
    select
        d.event_id,
        d.ts,
        case when d.web_identity then d.issued_access_key_id else d.access_key_id end as access_key_id,
        case
            when d.web_identity then 'web identity token of ' || coalesce(d.subject_namespace, '?') || ':' || coalesce(d.subject_service_account, d.service_account, '?')
            else d.access_key_id
        end as credential,
        case
            when d.owner_pod_uid is not null then d.pod_owned_by
            when d.web_identity or d.subject_service_account is not null then 'service-account'
            else 'node-role'
        end as owned_by,
        d.owner_pod_uid as pod_uid,
        coalesce(l.namespace, d.subject_namespace) as owner_namespace,
        l.name as owner_pod_name,
        coalesce(l.service_account, d.subject_service_account, case when d.web_identity then d.service_account end) as owner_service_account,
        case when d.owner_pod_uid is null and not d.web_identity and d.subject_service_account is null then d.subject_node_name end as owner_node_name,
        case when d.owner_pod_uid is not null then coalesce(l.last_at < d.ts, false) end as pod_gone,
        case when l.last_at < '9999-12-31'::TIMESTAMP then l.last_at end as pod_ended_at,
        d.source_ip,
        d.event_source,
        d.event_name,
        d.confidence,
        d.rule_id
    from owned as d
    left join lifecycle as l on l.pod_uid = d.owner_pod_uid
    where d.owner_pod_uid is not null or d.web_identity or d.subject_service_account is not null or d.subject_node_name is not null
)

select * from final
order by event_id
