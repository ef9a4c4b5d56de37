-- Role chains: a key issued by a call made with another session's key (sts:AssumeRole from a
-- session, EKS Pod Identity's own AssumeRole into an association's target role) belongs to that
-- parent's holder, so it carries the parent's subject. One row per chained key, walked back to its
-- root (the first key of the chain whose subject is not itself a parent session; 8 links at most):
-- the root's subject, and chain_event_ids, the issuing calls of the links from the key back to the
-- root (the chain, cited as evidence). A link whose issuing call is not in the evidence ends the
-- walk: the root is then the last key whose issuance is known.
create or replace view int_cloud__chains as

with recursive

sessions as (
    select * from credential_sessions
),

walk(access_key_id, parent_key, depth, chain_event_ids) as (
    select access_key_id, parent_access_key_id, 1, [issuing_event_id]
    from sessions
    where subject_type = 'parent-session' and parent_access_key_id is not null
    union all
    select w.access_key_id, p.parent_access_key_id, w.depth + 1, list_append(w.chain_event_ids, p.issuing_event_id)
    from walk as w
    inner join sessions as p on p.access_key_id = w.parent_key
    where p.subject_type = 'parent-session' and p.parent_access_key_id is not null and w.depth < 8
        and not list_contains(w.chain_event_ids, p.issuing_event_id)
),

deepest as (
    select access_key_id, arg_max(parent_key, depth) as root_key, max(depth) as depth, arg_max(chain_event_ids, depth) as chain_event_ids
    from walk
    group by access_key_id
),

root_use as (
    -- how the root key was used: its principal's markers (its issuance may predate the window)
    select
        c.access_key_id,
        bool_or(c.node_role_session) as node_role_session,
        bool_or(e.web_identity_provider is not null) as web_identity,
        arg_min(c.session_issuer_arn, (c.ts, c.event_id)) as session_issuer_arn,
        arg_min(c.session_created_at, (c.ts, c.event_id)) as session_created_at
    from int_cloud__calls as c
    inner join cloud_events as e on e.event_id = c.event_id
    where c.access_key_id is not null
    group by c.access_key_id
),

final as (
    select
        d.access_key_id,
        d.root_key,
        d.depth,
        d.chain_event_ids,
        r.subject_type as root_subject_type,
        r.subject_pod_uid as root_pod_uid,
        r.subject_namespace as root_namespace,
        r.subject_service_account as root_service_account,
        r.subject_node_name as root_node_name,
        r.issuing_event_id as root_issuing_event_id,
        coalesce(u.node_role_session, false) as root_node_role_session,
        coalesce(u.web_identity, false) as root_web_identity,
        u.session_issuer_arn as root_role_arn,
        u.session_created_at as root_created_at
    from deepest as d
    left join sessions as r on r.access_key_id = d.root_key
    left join root_use as u on u.access_key_id = d.root_key
)

select * from final
