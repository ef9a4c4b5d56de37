-- Which attributions each gap weakens (and so, which gaps each attribution depends on):
--   no runtime sensor, silent or late sensor on a node: calls in that interval that kept a
--     candidate on that node and are not proven;
--   a node clock beyond tolerance: calls with a candidate or the chosen pod on that node;
--   audit silence or audit retention before the window: calls in that interval that are not proven
--     (pods created or deleted then are known only from inventory and runtime);
--   a service account shared by several pods: its ambiguous calls;
--   Pod Identity without session tags: calls made with that session's key;
--   a source address no egress fact explains, used with a pod's or node's credentials: the calls
--     from it.
create or replace view chk_impacts as

with

findings as (
    select * from chk_findings where status = 'gap'
),

attributions_nodes as (
    select a.event_id, a.ts, a.confidence, a.service_account, a.access_key_id, c.node_name
    from attributions as a, unnest(from_json(a.candidates, '[{"node_name":"VARCHAR"}]')) as t(c)
    union
    select event_id, ts, confidence, service_account, access_key_id, node_name from attributions where node_name is not null
),

node_gaps as (
    select distinct f.finding_id, a.event_id
    from findings as f
    inner join attributions_nodes as a
        on a.node_name = f.node_name
        and a.ts between f.interval_from and f.interval_to
        and a.confidence <> 'proven'
    where f.kind in ('no-sensor', 'sensor-silence', 'sensor-late')
),

clock_gaps as (
    select distinct f.finding_id, a.event_id
    from findings as f
    inner join attributions_nodes as a on a.node_name = f.node_name
    where f.kind = 'clock-offset'
),

audit_gaps as (
    select distinct f.finding_id, a.event_id
    from findings as f
    inner join attributions as a on a.ts between f.interval_from and f.interval_to and a.confidence <> 'proven'
    where f.source = 'kube-audit' and f.kind in ('audit-silence', 'retention-before-window')
),

shared_gaps as (
    select distinct f.finding_id, a.event_id
    from findings as f
    inner join attributions as a
        on a.service_account = (f.detail ->> 'service_account')
        and a.confidence = 'ambiguous'
    where f.kind = 'shared-binding'
),

untagged_gaps as (
    select distinct f.finding_id, a.event_id
    from findings as f
    inner join credential_sessions as s on s.issuing_event_id = (f.detail ->> 'event_id')
    inner join attributions as a on a.access_key_id = s.access_key_id
    where f.kind = 'pod-identity-tags-disabled'
),

unexplained_gaps as (
    select distinct f.finding_id, a.event_id
    from findings as f
    inner join attributions as a on a.source_ip = (f.detail ->> 'source_ip')
    where f.kind = 'unexplained-source'
),

final as (
    select * from node_gaps
    union select * from unexplained_gaps
    union select * from clock_gaps
    union select * from audit_gaps
    union select * from shared_gaps
    union select * from untagged_gaps
)

select * from final
order by finding_id, event_id
