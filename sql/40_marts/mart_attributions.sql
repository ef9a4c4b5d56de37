-- attributions: exactly one row per cloud call of the lake (the window plus its margin), with the
-- decision of int_attr__final, the candidates that remained and the evidence used. Total order by
-- event_id.
create or replace view mart_attributions as

with

events as (
    select * from int_attr__events
),

decisions as (
    select * from int_attr__final
),

candidates as (
    select * from int_attr__candidates where ip_relation <> 'none'
),

evidence as (
    select * from int_attr__evidence
),

lifecycle as (
    select * from pod_lifecycle
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
        list_concat(coalesce(v.connect_row_ids, []::VARCHAR[]), coalesce(v.recent_row_ids, []::VARCHAR[])) as connect_row_ids,
        list_sort(list_concat(
            c.origins,
            ['source:' || c.ip_relation],
            case when coalesce(v.has_connect, false) then ['runtime-connect'] else []::VARCHAR[] end,
            case when coalesce(v.has_recent, false) then ['recent-connect'] else []::VARCHAR[] end,
            case when not coalesce(v.observable, false) then ['sensor-blind'] else []::VARCHAR[] end
        )) as kept_by
    from candidates as c
    left join evidence as v on v.event_id = c.event_id and v.pod_uid = c.pod_uid
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
            'pod_uid': c.pod_uid, 'namespace': c.namespace, 'name': c.name, 'node_name': c.node_name, 'kept_by': c.kept_by
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
        p.namespace as pod_namespace,
        p.name as pod_name,
        coalesce(p.node_name, e.subject_node_name) as node_name,
        coalesce(p.service_account, e.sa_name) as service_account,
        e.principal_arn,
        e.access_key_id,
        e.session_name,
        e.source_ip,
        coalesce(l.candidates, '[]'::JSON) as candidates,
        coalesce(l.candidate_count, 0) as candidate_count,
        to_json({
            'cloud': list_sort(list_distinct(list_concat([e.event_id], d.carried_from,
                case when e.issuing_event_id is not null and e.issuing_event_id <> e.event_id then [e.issuing_event_id] else []::VARCHAR[] end))),
            'runtime': coalesce(l.runtime_rows, []::VARCHAR[]),
            'audit': []::VARCHAR[],
            'inventory': case when p.from_row_id is not null then [p.from_row_id] else []::VARCHAR[] end
        }) as evidence,
        d.rule_id,
        1 as rule_version,
        e.window_from,
        e.window_to,
        coalesce(o.offset_seconds, 0)::DOUBLE as clock_offset_seconds,
        d.reason
    from events as e
    inner join decisions as d on d.event_id = e.event_id
    left join chosen_pod as p on p.event_id = e.event_id
    left join listed as l on l.event_id = e.event_id
    left join offsets as o on o.node_name = p.node_name
)

select * from final
order by event_id
