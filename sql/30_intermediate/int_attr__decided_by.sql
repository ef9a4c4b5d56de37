-- int_attr__decided_by: for each call, decided_by (what decided a proven or strong row: the basis,
-- the runtime rows, how the source address fits the pod, the cloud calls) and the endpoint fact
-- behind the connects that decided. A call AWS made on a session's behalf cites what decided its
-- triggering call.
create or replace view int_attr__decided_by as

with

events as (
    select * from int_attr__events
),

decisions as (
    select * from int_attr__final
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

final as (
    select d.event_id, d.decided_by, u.endpoint_fact_id
    from decided_by as d
    left join endpoint_used as u on u.event_id = d.event_id
)

select * from final
