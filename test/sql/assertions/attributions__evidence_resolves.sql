-- invariant: every evidence id an attribution cites resolves to a lake row. evidence is {cloud: [event ids], runtime: [row_ids], audit: [row_ids], inventory:
-- [row_ids]}, exactly those four keys:
--   cloud      -> cloud_events.event_id
--   runtime    -> runtime_events.row_id
--   audit      -> kube_audit_events.row_id
--   inventory  -> the row that set the chosen pod's valid_from (pod_lifecycle.from_row_id): a
--                 k8s_pods / k8s_nodes / k8s_service_accounts row_id, or, since int_pod__lifecycle
--                 starts an interval at an audit create (audit-create) or at the first runtime
--                 sighting (runtime-first-seen), a kube_audit_events or runtime_events row_id;
--                 and it must be a from_row_id of the attribution's own pod.
-- Runtime evidence must be connect events (the candidates' connects to the called service).
-- Failing rows: the attribution, the evidence kind, the id and what is wrong with it.
with

parsed as (
    select
        event_id,
        evidence,
        from_json(evidence, '{"cloud":["VARCHAR"],"runtime":["VARCHAR"],"audit":["VARCHAR"],"inventory":["VARCHAR"]}') as ev
    from attributions
),

bad_shape as (
    select event_id, 'shape' as kind, evidence::VARCHAR as id, 'evidence keys are not exactly audit, cloud, inventory, runtime' as problem
    from parsed
    where list_sort(json_keys(evidence)) <> ['audit', 'cloud', 'inventory', 'runtime']
        or json_type(evidence, '$.cloud') <> 'ARRAY'
        or json_type(evidence, '$.runtime') <> 'ARRAY'
        or json_type(evidence, '$.audit') <> 'ARRAY'
        or json_type(evidence, '$.inventory') <> 'ARRAY'
),

cited as (
    select event_id, 'cloud' as kind, unnest(ev.cloud) as id from parsed
    union all
    select event_id, 'runtime', unnest(ev.runtime) from parsed
    union all
    select event_id, 'audit', unnest(ev.audit) from parsed
    union all
    select event_id, 'inventory', unnest(ev.inventory) from parsed
),

inventory_rows as (
    select row_id from k8s_pods
    union all
    select row_id from k8s_nodes
    union all
    select row_id from k8s_service_accounts
    union all
    select row_id from kube_audit_events
    union all
    select row_id from runtime_events
),

unresolved as (
    select c.event_id, c.kind, c.id, 'cites an id that resolves to no lake row' as problem
    from cited as c
    where c.id is null
        or (c.kind = 'cloud' and not exists (select 1 from cloud_events as e where e.event_id = c.id))
        or (c.kind = 'runtime' and not exists (select 1 from runtime_events as r where r.row_id = c.id))
        or (c.kind = 'audit' and not exists (select 1 from kube_audit_events as k where k.row_id = c.id))
        or (c.kind = 'inventory' and not exists (select 1 from inventory_rows as i where i.row_id = c.id))
),

own_event_missing as (
    select event_id, 'cloud' as kind, event_id as id, 'evidence.cloud does not cite the event itself' as problem
    from parsed
    where not list_contains(ev.cloud, event_id)
),

not_a_connect as (
    -- runtime evidence is the candidates' connects to the service (int_attr__evidence)
    select c.event_id, c.kind, c.id, 'runtime evidence is a ' || r.kind || ' event, not a connect' as problem
    from cited as c
    inner join runtime_events as r on r.row_id = c.id
    where c.kind = 'runtime' and r.kind <> 'connect'
),

not_the_pods_lifecycle as (
    -- inventory evidence is the row that started an interval of the named pod (pod_lifecycle.from_row_id)
    select c.event_id, c.kind, c.id, 'inventory evidence is not a from_row_id of pod ' || coalesce(a.pod_uid, 'NULL') as problem
    from cited as c
    inner join attributions as a on a.event_id = c.event_id
    where c.kind = 'inventory'
        and not exists (select 1 from pod_lifecycle as l where l.pod_uid = a.pod_uid and l.from_row_id = c.id)
),

final as (
    select * from bad_shape
    union all
    select * from unresolved
    union all
    select * from own_event_missing
    union all
    select * from not_a_connect
    union all
    select * from not_the_pods_lifecycle
)

select * from final
order by event_id, kind, id
