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

scored as (
    select * from int_attr__scored where ip_relation <> 'none'
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
    -- the pod a Pod Identity credential names in its session tags (kubernetes-pod-uid, -namespace,
    -- -pod-name, -service-account): on the issuing AssumeRole itself, or on the call that issued the
    -- key this call used; names the pod when no snapshot or audit event shows it
    select
        c.event_id,
        coalesce(c.tag_pod_uid, i.tag_pod_uid) as pod_uid,
        coalesce(c.tag_namespace, i.tag_namespace) as namespace,
        coalesce(c.tag_pod_name, i.tag_pod_name) as name,
        coalesce(c.tag_service_account, i.tag_service_account) as service_account
    from int_cloud__calls as c
    left join credential_sessions as s on s.access_key_id = c.access_key_id
    left join int_cloud__calls as i on i.event_id = s.issuing_event_id
    where coalesce(c.tag_pod_uid, i.tag_pod_uid) is not null
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

candidate_docs as (
    select
        c.event_id,
        c.pod_uid,
        c.namespace,
        c.name,
        c.node_name,
        c.service_account,
        list_concat(c.connect_row_ids, c.recent_row_ids, c.chain_row_ids, c.chain_recent_row_ids, c.range_row_ids) as connect_row_ids,
        list_sort(list_concat(
            c.origins,
            ['source:' || c.ip_relation],
            case when c.has_direct then ['runtime-connect'] else []::VARCHAR[] end,
            case when c.has_direct_recent then ['recent-connect'] else []::VARCHAR[] end,
            case when c.chain_positive or c.chain_recent_positive then ['relay-connect'] else []::VARCHAR[] end,
            case when c.has_range then ['aws-range-connect'] else []::VARCHAR[] end,
            case when c.is_relay then ['known-relay'] else []::VARCHAR[] end,
            case when not c.observable then ['sensor-blind'] else []::VARCHAR[] end
        )) as kept_by
    from scored as c
),

chosen as (
    -- the decided pod's own row for this call: what decided, and how its address fits the source
    select
        d.event_id,
        s.ip_relation,
        s.fact_id,
        s.chain_relay_pod_uid,
        case d.basis
            when 'runtime' then s.connect_row_ids
            when 'relay' then list_concat(s.chain_row_ids, case when s.chain_positive then []::VARCHAR[] else s.chain_recent_row_ids end)
            when 'keepalive' then s.recent_row_ids
            when 'aws-range' then s.range_row_ids
            else []::VARCHAR[]
        end as runtime_rows
    from decisions as d
    inner join int_attr__scored as s on s.event_id = d.event_id and s.pod_uid = d.pod_uid
    where d.pod_uid is not null
),

own_decided_by as (
    select
        d.event_id,
        case when d.confidence in ('proven', 'strong') and d.basis is not null and d.basis <> 'inherit' then
            {
                'basis': d.basis,
                'runtime': coalesce(ch.runtime_rows, []::VARCHAR[]),
                'address': case when ch.ip_relation in ('pod-ip', 'node-ip', 'node-address', 'egress-nat', 'relay') then
                    {'source_ip': e.source_ip, 'relation': ch.ip_relation, 'fact_id': ch.fact_id,
                     'fact_source': split_part(ch.fact_id, ':', 1)::VARCHAR,
                     'relay_pod_uid': case when ch.ip_relation = 'relay' then ch.chain_relay_pod_uid end}
                end,
                'cloud': list_sort(list_distinct(list_concat(
                    d.carried_from,
                    -- the call that carried the tag: the key's issuing call (a chained key's: its
                    -- root's), or this call itself
                    case when d.basis = 'key-chain' then [coalesce(e.chain_root_issuing_event_id, e.issuing_event_id, e.event_id)] else []::VARCHAR[] end,
                    -- a chained key: the issuing calls of its chain's links
                    e.chain_event_ids
                )))
            }
        end as decided_by
    from decisions as d
    inner join events as e on e.event_id = d.event_id
    left join chosen as ch on ch.event_id = d.event_id
),

decided_by as (
    -- a call AWS made on a session's behalf cites what decided its triggering call
    select
        d.event_id,
        case
            when d.basis = 'inherit' and d.confidence in ('proven', 'strong') and t.decided_by is not null then
                {
                    'basis': 'inherit',
                    'runtime': t.decided_by.runtime,
                    'address': t.decided_by.address,
                    'cloud': list_sort(list_distinct(list_concat(t.decided_by.cloud, d.carried_from)))
                }
            else o.decided_by
        end as decided_by
    from decisions as d
    inner join own_decided_by as o on o.event_id = d.event_id
    left join own_decided_by as t on t.event_id = d.trigger_event_id
),

endpoint_used as (
    -- the endpoint facts behind the connects that decided (a relay's: its outbound connect's)
    select d.event_id, min(f.endpoint_fact_id) as endpoint_fact_id
    from (select event_id, unnest(decided_by.runtime) as row_id from decided_by) as d
    inner join int_runtime__endpoint_fact_rows as f on f.row_id = d.row_id
    group by d.event_id
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

candidate_events as (
    -- whose candidates a decision lists: its own; for a call AWS made on a session's behalf that
    -- has none of its own (static key or source-address path: the service's address names no
    -- pod), those of the call it inherited from, so the pod it names is among its candidates
    select
        d.*,
        case
            when d.trigger_event_id is not null
                and not exists (select 1 from candidate_docs as c where c.event_id = d.event_id)
                then d.trigger_event_id
            else d.event_id
        end as candidates_of
    from decisions as d
),

listed as (
    select
        d.event_id,
        to_json(list({
            'pod_uid': c.pod_uid, 'namespace': coalesce(c.namespace, pt.namespace), 'name': coalesce(c.name, pt.name), 'node_name': c.node_name, 'kept_by': c.kept_by
        } order by c.pod_uid)) as candidates,
        count(c.pod_uid)::INTEGER as candidate_count,
        list_sort(list_distinct(flatten(list(c.connect_row_ids)))) as runtime_rows
    from candidate_events as d
    inner join candidate_docs as c
        on c.event_id = d.candidates_of
        and (
            (d.confidence in ('proven', 'strong') and c.pod_uid = d.pod_uid)
            or d.confidence = 'ambiguous'
        )
    left join pod_tags as pt on pt.event_id = d.event_id and pt.pod_uid = c.pod_uid
    group by d.event_id
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
        ef.endpoint_fact_id,
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
    left join endpoint_used as ef on ef.event_id = e.event_id
    left join source_owners as so on so.event_id = e.event_id and so.node_name = p.node_name and db.decided_by.address.relation = 'node-address'
    left join rules as r on r.rule = regexp_replace(d.rule_id, '^(irsa|pod-identity|node-role|static-key|source-ip)-(runtime-connect|relay-connect|aws-range-connect|keepalive-connect|single-pod)$', '\2')
)

select * from final
order by event_id
