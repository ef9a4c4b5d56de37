-- invariant: an ambiguous row claims its candidate set holds the pod. When the call came from a
-- private address that no listed candidate's egress (nor a relay) explains, the holder of that
-- address must be closed: a pod of pod_lifecycle with a known service account, or a node, held it
-- at the call, or its interfaces name the node, or a listed pod has no known address (it may be
-- the holder); otherwise the row must be unresolved-holder. An unresolved-holder row lists no
-- candidate. Failing rows: one per broken row.
with

settings as (
    select tolerance_seconds from case_settings
),

rows_ as (
    select
        a.event_id,
        a.rule_id,
        a.ts,
        a.source_ip,
        a.candidate_count,
        from_json(a.candidates, '[{"pod_uid":"VARCHAR","kept_by":["VARCHAR"]}]') as cands
    from attributions as a
),

unexplained as (
    select r.*
    from rows_ as r
    where r.rule_id = 'ambiguous-candidates'
        and pt_is_private_ip(r.source_ip)
        and not list_bool_or(list_transform(r.cands, c -> list_has_any(c.kept_by,
            ['source:pod-ip', 'source:node-ip', 'source:node-address', 'source:egress-nat', 'source:aws-service', 'source:unknown-source', 'source:relay'])))
),

open_holder as (
    select u.event_id, u.rule_id, 'ambiguous, and no pod or node the evidence knows (with a service account) held ' || u.source_ip || ' at the call' as problem
    from unexplained as u
    cross join settings as st
    where not exists (
            select 1 from pod_lifecycle as l
            where list_contains(l.pod_ips, u.source_ip) and l.service_account is not null
                and l.valid_from <= u.ts + to_seconds(st.tolerance_seconds)
                and (l.valid_to is null or l.valid_to >= u.ts - to_seconds(st.tolerance_seconds))
        )
        and not exists (select 1 from int_attr__node_ips as n where n.node_ip = u.source_ip)
        and not exists (select 1 from int_attr__source_owners as o where o.event_id = u.event_id)
        and not exists (
            select 1 from pod_lifecycle as l
            where list_contains(list_transform(u.cands, c -> c.pod_uid), l.pod_uid) and len(coalesce(l.pod_ips, []::VARCHAR[])) = 0
                and l.valid_from <= u.ts + to_seconds(st.tolerance_seconds)
                and (l.valid_to is null or l.valid_to >= u.ts - to_seconds(st.tolerance_seconds))
        )
),

listed_unresolved as (
    select event_id, rule_id, 'unresolved-holder lists ' || candidate_count || ' candidates' as problem
    from rows_
    where rule_id = 'unresolved-holder' and (candidate_count <> 0 or len(cands) <> 0)
),

final as (
    select * from open_holder
    union all
    select * from listed_unresolved
)

select * from final
order by event_id, problem
