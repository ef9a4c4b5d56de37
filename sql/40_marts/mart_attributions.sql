-- attributions: exactly one row per cloud call of the lake (the window plus its margin), with the
-- decision of int_attr__final, the candidates that remained, the evidence used, and decided_by:
-- the evidence that decided a proven or strong row. Total order by event_id.
create or replace view mart_attributions as

with

events as (
    select * from int_attr__events
),

decisions as (
    select * from int_attr__final
),

rules as (
    select * from int_attr__rules
),

lifecycle as (
    select * from pod_lifecycle
),

source_facts as (
    select event_id, min(fact_id) as fact_id from int_attr__source_facts group by event_id
),

source_owners as (
    select * from int_attr__source_owners
),

unknown_sa_pods as (
    -- pods of the account's namespace alive at the call whose service account no evidence shows
    -- (known from audit or runtime only): "no pod of the account ran" would contradict them
    select e.event_id, count(distinct l.pod_uid) as n, list_sort(list_distinct(list(l.name))) as names
    from events as e
    inner join lifecycle as l
        on l.namespace = e.sa_namespace and l.service_account is null
        and l.valid_from <= e.ts and (l.valid_to is null or l.valid_to >= e.ts)
    where e.sa_name is not null
    group by e.event_id
),

pod_tags as (
    select * from int_attr__pod_tags
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

candidate_docs as (
    select * from int_attr__candidate_docs
),

decided_by as (
    select * from int_attr__decided_by
),

listed as (
    select * from int_attr__candidate_lists
),

chosen_pod as (
    select
        d.event_id,
        coalesce(c.namespace, l.namespace) as namespace,
        coalesce(c.name, l.name) as name,
        coalesce(c.node_name, l.node_name) as node_name,
        coalesce(c.service_account, l.service_account) as service_account,
        l.from_row_id
    from decisions as d
    inner join events as e on e.event_id = d.event_id
    left join candidate_docs as c on c.event_id = d.event_id and c.pod_uid = d.pod_uid
    left join lifecycle as l
        on l.pod_uid = d.pod_uid
        and l.valid_from <= e.ts + interval 1 hour
        and (l.valid_to is null or l.valid_to >= e.ts - interval 1 hour)
    where d.pod_uid is not null
    qualify row_number() over (partition by d.event_id order by (c.pod_uid is not null) desc, l.interval_no desc nulls last) = 1
),

final as (
    select
        e.event_id,
        e.ts,
        e.event_source,
        e.event_name,
        d.confidence,
        case when d.rule_id = 'aws-service-inherit' then 'aws-service' else e.path end as path,
        d.pod_uid,
        coalesce(p.namespace, pt.namespace) as pod_namespace,
        coalesce(p.name, pt.name) as pod_name,
        coalesce(p.node_name, e.subject_node_name) as node_name,
        coalesce(p.service_account, pt.service_account, e.sa_name) as service_account,
        e.principal_arn,
        e.access_key_id,
        e.session_name,
        e.source_ip,
        coalesce(l.candidates, '[]'::JSON) as candidates,
        coalesce(l.candidate_count, 0) as candidate_count,
        to_json({
            'cloud': list_sort(list_distinct(list_concat([e.event_id], d.carried_from, e.chain_event_ids,
                case when e.issuing_event_id is not null and e.issuing_event_id <> e.event_id then [e.issuing_event_id] else []::VARCHAR[] end))),
            'runtime': list_sort(list_distinct(list_concat(coalesce(l.runtime_rows, []::VARCHAR[]), coalesce(db.decided_by.runtime, []::VARCHAR[])))),
            'audit': []::VARCHAR[],
            'inventory': list_sort(list_concat(case when p.from_row_id is not null then [p.from_row_id] else []::VARCHAR[] end, coalesce(so.owner_row_ids, []::VARCHAR[])))
        }) as evidence,
        to_json(db.decided_by) as decided_by,
        coalesce(db.decided_by.address.fact_id, sf.fact_id) as egress_fact_id,
        db.endpoint_fact_id,
        d.rule_id,
        coalesce(r.rule_version, 1) as rule_version,
        e.window_from,
        e.window_to,
        coalesce(o.offset_seconds, 0)::DOUBLE as clock_offset_seconds,
        case
            when d.confidence in ('proven', 'strong') then null
            when d.reason like 'no pod of service account % was known to run at that time%' and us.n > 0 then
                'no pod known to run with service account ' || e.sa_namespace || ':' || e.sa_name || ' at that time; '
                || pt_count(us.n, 'pod', 'pods') || ' of namespace ' || e.sa_namespace || ' whose service account no evidence shows '
                || case when us.n = 1 then 'was' else 'were' end || ' running (' || array_to_string(us.names, ', ') || ')'
            else d.reason
        end as reason
    from events as e
    inner join decisions as d on d.event_id = e.event_id
    left join decided_by as db on db.event_id = e.event_id
    left join chosen_pod as p on p.event_id = e.event_id
    left join listed as l on l.event_id = e.event_id
    left join offsets as o on o.node_name = p.node_name
    left join source_facts as sf on sf.event_id = e.event_id
    left join pod_tags as pt on pt.event_id = e.event_id and pt.pod_uid = d.pod_uid
    left join unknown_sa_pods as us on us.event_id = e.event_id
    left join source_owners as so on so.event_id = e.event_id and so.node_name = p.node_name and db.decided_by.address.relation = 'node-address'
    left join rules as r on r.rule = regexp_replace(d.rule_id, '^(irsa|pod-identity|node-role|static-key|source-ip)-(runtime-connect|relay-connect|aws-range-connect|keepalive-connect|single-pod)$', '\2')
)

select * from final
order by event_id
