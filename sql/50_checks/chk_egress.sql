-- Check: egress facts. Every egress fact, declared, collected and learned side by side (ok); facts
-- that disagree on an address (a learned fact names a node the declared one for that address does
-- not: unknown); and every public source address of a call that no fact explains: a gap
-- (unexplained-source) when calls from it were made with a pod's or a node's credentials (IRSA,
-- Pod Identity, node role: an exit the facts miss, or the credential used outside the cluster),
-- else listed as outside-source (ok: a person or an outside system calling with its own key).
-- And AWS's address ranges: the publication used (aws-ip-ranges: syncToken, createDate, the file),
-- or none acquired (aws-ip-ranges-missing: unknown when runtime connects went to public addresses
-- no endpoint names, since a connect to AWS through a NAT is then not recognised; ok otherwise).
create or replace view chk_egress as

with

range as (
    select * from chk__range
),

facts as (
    select * from egress_facts
),

per_fact as (
    select
        fact_id,
        any_value(cidr) as cidr,
        any_value(source) as source,
        any_value(label) as label,
        any_value(overridden_by) as overridden_by,
        list_sort(list_distinct(list(node_name) filter (where node_name is not null))) as nodes,
        list_sort(list_distinct(flatten(list(behind)))) as behind,
        any_value(evidence) as evidence
    from facts
    group by fact_id
),

fact_findings as (
    select
        'egress' as check_id,
        'egress-fact' as kind,
        'egress:fact:' || f.fact_id as finding_id,
        'ok' as status,
        f.source as source,
        null::VARCHAR as node_name,
        null::VARCHAR as region,
        r.window_from as interval_from,
        r.window_to as interval_to,
        0.0 as seconds,
        len(f.nodes)::DOUBLE as value,
        to_json({'fact_id': f.fact_id, 'cidr': f.cidr, 'source': f.source, 'label': f.label, 'behind': f.behind, 'nodes': f.nodes,
            'overridden_by': f.overridden_by, 'evidence': f.evidence}) as detail,
        f.cidr || ' (' || f.source || ' ' || f.label || ') -> '
            || case when len(f.nodes) > 0 then array_to_string(f.nodes, ', ') else 'no known node' end
            || case when f.overridden_by is not null then '; overridden by ' || f.overridden_by else '' end as message
    from per_fact as f
    cross join range as r
),

disagreements as (
    -- a learned fact naming a node that the fact overriding it does not put behind that address
    select l.fact_id, l.overridden_by, l.cidr, list_sort(list_distinct(list(l.node_name))) as nodes
    from facts as l
    where l.source = 'learned' and l.overridden_by is not null and l.node_name is not null
        and not exists (select 1 from facts as d where d.fact_id = l.overridden_by and d.node_name = l.node_name)
    group by l.fact_id, l.overridden_by, l.cidr
),

disagreement_findings as (
    select
        'egress', 'egress-facts-disagree', 'egress:disagree:' || d.fact_id, 'unknown', 'learned', null, null,
        r.window_from, r.window_to, 0.0, len(d.nodes)::DOUBLE,
        to_json({'learned': d.fact_id, 'overridden_by': d.overridden_by, 'cidr': d.cidr, 'nodes': d.nodes}),
        'the node-role sessions of ' || array_to_string(d.nodes, ', ') || ' called from ' || d.cidr || ', which '
            || d.overridden_by || ' does not put in front of them: the declared egress may be incomplete'
    from disagreements as d
    cross join range as r
),

explained as (
    -- a call some egress fact explains (attributions.egress_fact_id: the deciding fact, else the
    -- covering one of the best precedence); the correlation table, not the attribution chain's views
    select event_id from attributions where egress_fact_id is not null
),

unexplained_calls as (
    select
        a.source_ip,
        a.event_id,
        a.ts,
        a.path,
        a.principal_arn,
        a.path in ('irsa', 'pod-identity', 'node-role') as cluster_credential
    from attributions as a
    inner join cloud_events as c on c.event_id = a.event_id
    where pt_is_public_ip(a.source_ip) and not exists (select 1 from explained as x where x.event_id = a.event_id)
),

unexplained as (
    select
        source_ip,
        count(*) as calls,
        bool_or(cluster_credential) as cluster_credential,
        min(ts) as first_at,
        max(ts) as last_at,
        list_sort(list_distinct(list(path))) as paths,
        list_sort(list_distinct(list(principal_arn) filter (where principal_arn is not null)))[1:5] as principals,
        list_sort(list(event_id))[1:10] as event_ids
    from unexplained_calls
    group by source_ip
),

unexplained_findings as (
    select
        'egress',
        case when u.cluster_credential then 'unexplained-source' else 'outside-source' end,
        'egress:unexplained:' || u.source_ip,
        case when u.cluster_credential then 'gap' else 'ok' end,
        'cloudtrail', null, null,
        u.first_at, u.last_at, pt_seconds_between(u.first_at, u.last_at), u.calls::DOUBLE,
        to_json({'source_ip': u.source_ip, 'calls': u.calls, 'paths': u.paths, 'principals': u.principals, 'event_ids': u.event_ids}),
        u.calls || ' calls from ' || u.source_ip || ', an address no egress fact explains'
            || case when u.cluster_credential
                then ' although made with pod or node credentials: an exit the facts miss, or the credential used outside the cluster'
                else ', made with credentials of no pod or node (a person or an outside system): outside the cluster, or an exit the facts miss' end
    from unexplained as u
),

ranges as (
    select sync_token, any_value(published_at) as published_at, any_value(evidence_file_id) as evidence_file_id, count(*) as prefixes
    from aws_ip_ranges
    group by sync_token
),

latest_range as (
    select * from ranges order by try_cast(sync_token as BIGINT) desc nulls last, sync_token desc limit 1
),

public_connects as (
    select count(*) as n
    from runtime_events as r
    where r.kind = 'connect' and pt_is_public_ip(r.dst_ip)
        and not exists (
            select 1 from case_endpoints as e
            where (e.lo is not null and pt_ip_int(r.dst_ip) between e.lo and e.hi) or (e.lo is null and r.dst_ip = e.cidr)
        )
),

range_findings as (
    select
        'egress', 'aws-ip-ranges', 'egress:aws-ip-ranges', 'ok', 'aws-ip-ranges', null, null,
        r.window_from, r.window_to, 0.0, l.prefixes::DOUBLE,
        to_json({'sync_token': l.sync_token, 'published_at': l.published_at, 'evidence_file_id': l.evidence_file_id, 'prefixes': l.prefixes,
            'publications': (select count(*) from ranges)}),
        'AWS ip-ranges syncToken ' || l.sync_token || ' (published ' || coalesce(strftime(l.published_at, '%Y-%m-%dT%H:%M:%SZ'), '?') || ', '
            || l.prefixes || ' prefixes): connects to AWS''s public addresses count as connects to AWS'
    from latest_range as l
    cross join range as r
    union all
    select
        'egress', 'aws-ip-ranges-missing', 'egress:aws-ip-ranges', case when p.n > 0 then 'unknown' else 'ok' end, 'aws-ip-ranges', null, null,
        r.window_from, r.window_to, 0.0, p.n::DOUBLE,
        to_json({'public_connects': p.n}),
        'no AWS ip-ranges file was acquired (podtrail ingest --ip-ranges FILE): '
            || case when p.n > 0 then p.n || ' runtime connects to public addresses no endpoint names are not recognised as connects to AWS, and the aws-range-connect rule does not fire'
                else 'no runtime connect went to a public address no endpoint names' end
    from public_connects as p
    cross join range as r
    where not exists (select 1 from ranges)
),

final as (
    select * from fact_findings
    union all
    select * from range_findings
    union all
    select * from disagreement_findings
    union all
    select * from unexplained_findings
)

select * from final
