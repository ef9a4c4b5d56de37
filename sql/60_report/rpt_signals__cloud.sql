-- Signals from cloud calls, one row per (actor, call): a pod's proven or strong calls; an ambiguous
-- call under each of its candidates (at most 5 candidates: more name no one), marked as_candidate;
-- calls of a node's host processes under the node; calls from outside the cluster under their
-- address; and every use of a pod's credential from outside, under the pod (or, for a service
-- account's web identity token, under each pod of that account running then, as a candidate).
-- A denied call is a 'denied' signal whatever it attempted.
create or replace view rpt_signals__cloud as

with

calls as (
    select
        *,
        case when denied then 'denied' else category end as signal,
        case when denied then 5 else tier end as signal_tier
    from rpt_calls
),

misuse as (
    select * from rpt_credential_misuse
),

lifecycle as (
    select * from pod_lifecycle
),

sa_pods as (
    select event_id, pod_uid, count(*) over (partition by event_id) as n_pods
    from (
        select distinct m.event_id, l.pod_uid
        from misuse as m
        inner join lifecycle as l
            on m.pod_uid is null
            and l.namespace = m.owner_namespace and l.service_account = m.owner_service_account
            and l.valid_from <= m.ts and (l.valid_to is null or l.valid_to >= m.ts)
    )
),

decided as (
    select 'pod' as actor_kind, pod_uid as actor_id, false as as_candidate, *
    from calls
    where confidence in ('proven', 'strong') and pod_uid is not null and signal is not null
),

candidate as (
    -- a candidate "host:NODE" is the node's host processes
    select
        case when starts_with(t.candidate_uid, 'host:') then 'node' else 'pod' end as actor_kind,
        case when starts_with(t.candidate_uid, 'host:') then substr(t.candidate_uid, 6) else t.candidate_uid end as actor_id,
        true as as_candidate,
        c.*
    from calls as c
    cross join unnest(c.candidate_uids) as t(candidate_uid)
    where c.confidence = 'ambiguous' and c.candidate_count between 1 and 5 and c.signal is not null
),

host as (
    select 'node' as actor_kind, node_name as actor_id, false as as_candidate, *
    from calls
    where confidence not in ('proven', 'strong') and pod_uid is null and node_name is not null
        and not from_outside and coalesce(candidate_count, 0) = 0 and signal is not null
),

outside as (
    select 'outside' as actor_kind, source_ip as actor_id, false as as_candidate, *
    from calls
    where from_outside and confidence not in ('proven', 'strong') and signal is not null
        and event_id not in (select event_id from misuse)
),

call_signals as (
    select
        actor_kind,
        actor_id,
        ts,
        signal,
        signal_tier as tier,
        call || coalesce(' ' || target, '') || case when denied then ' (' || error_code || ')' else '' end as detail,
        signal || ' ' || call || ' ' || coalesce(target, '') as signature,
        'cloud' as ref_source,
        event_id as ref,
        confidence,
        as_candidate,
        case when from_outside then source_ip end as related
    from (
        select * from decided
        union all by name select * from candidate
        union all by name select * from host
        union all by name select * from outside
    )
),

-- whose credential each outside use was: the owning pod or node, or a service account's pods (candidates)
misuse_owners as (
    select event_id, 'pod' as actor_kind, pod_uid as actor_id, false as as_candidate from misuse where pod_uid is not null
    union all
    select event_id, 'node', owner_node_name, false from misuse where owner_node_name is not null
    union all
    select event_id, 'pod', pod_uid, true from sa_pods where n_pods <= 5
),

misuse_signals as (
    -- the address that used the credential
    select
        'outside' as actor_kind,
        m.source_ip as actor_id,
        m.ts,
        'credential-used-outside' as signal,
        1 as tier,
        m.call || coalesce(' ' || m.target, '') || ' with ' || m.credential as detail,
        'credential-used-outside ' || m.credential || ' ' || m.call as signature,
        'cloud' as ref_source,
        m.event_id as ref,
        'unattributed' as confidence,
        false as as_candidate,
        coalesce(m.pod_uid, m.owner_node_name, m.owner_namespace || ':' || m.owner_service_account) as related
    from misuse as m
    union all
    -- the pod or node whose credential it was
    select
        o.actor_kind, o.actor_id, m.ts, 'credential-used-outside', 1,
        m.call || coalesce(' ' || m.target, '') || ' from ' || m.source_ip || ' with ' || m.credential,
        'credential-used-outside ' || m.credential || ' ' || m.call,
        'cloud', m.event_id, 'unattributed', o.as_candidate, m.source_ip
    from misuse as m
    inner join misuse_owners as o on o.event_id = m.event_id
),

final as (
    select * from call_signals
    union all
    select * from misuse_signals
)

select * from final
