-- invariant: every proven or strong attribution cites the evidence that decided it (decided_by),
-- so no pod is ever named by elimination alone. decided_by.basis is one of key-chain,
-- source-address, runtime, relay, keepalive, single-pod, carry, inherit, and:
--   runtime, relay, keepalive, aws-range  cite at least one runtime row (a connect; for a relay, the hop and
--                              the relay's outbound connect), which must be a connect event;
--   source-address, single-pod cite the address evidence: how the source fits the pod (pod-ip,
--                              node-ip, egress-nat with the egress fact used, or relay); a learned
--                              egress fact alone never decides;
--   key-chain                  cites the cloud event whose session tag names the pod (the key's
--                              issuing call, or the call itself); proven rows only;
--   carry, inherit             cite the cloud events they carry from, each itself proven or
--                              strong with a basis of its own.
-- Ambiguous and unattributed rows have no decided_by. Failing rows: the attribution and what is
-- missing.
with

rows_ as (
    select
        event_id,
        pod_uid,
        confidence,
        rule_id,
        decided_by,
        decided_by ->> 'basis' as basis,
        coalesce(from_json(decided_by -> 'runtime', '["VARCHAR"]'), []::VARCHAR[]) as runtime_ids,
        coalesce(from_json(decided_by -> 'cloud', '["VARCHAR"]'), []::VARCHAR[]) as cloud_ids,
        decided_by -> 'address' ->> 'relation' as relation,
        decided_by -> 'address' ->> 'fact_id' as fact_id,
        decided_by -> 'address' ->> 'fact_source' as fact_source
    from attributions
),

problems as (
    select event_id, confidence, rule_id, 'decided without decided_by' as problem
    from rows_
    where confidence in ('proven', 'strong') and (decided_by is null or json_type(decided_by) = 'NULL')
    union all
    select event_id, confidence, rule_id, 'decided_by on an undecided row' as problem
    from rows_
    where confidence not in ('proven', 'strong') and decided_by is not null and json_type(decided_by) <> 'NULL'
    union all
    select event_id, confidence, rule_id, 'unknown basis ' || coalesce(basis, 'NULL')
    from rows_
    where confidence in ('proven', 'strong')
        and coalesce(basis, '') not in ('key-chain', 'source-address', 'runtime', 'relay', 'keepalive', 'aws-range', 'single-pod', 'carry', 'inherit')
    union all
    select event_id, confidence, rule_id, basis || ' without a runtime row'
    from rows_
    where confidence in ('proven', 'strong') and basis in ('runtime', 'relay', 'keepalive', 'aws-range') and len(runtime_ids) = 0
    union all
    select event_id, confidence, rule_id, basis || ' without address evidence'
    from rows_
    where confidence in ('proven', 'strong') and basis in ('source-address', 'single-pod')
        and coalesce(relation, '') not in ('pod-ip', 'node-ip', 'egress-nat', 'relay')
    union all
    select event_id, confidence, rule_id, 'egress-nat address evidence without the fact used'
    from rows_
    where confidence in ('proven', 'strong') and relation = 'egress-nat' and fact_id is null
    union all
    select r.event_id, r.confidence, r.rule_id, 'key-chain on a strong row, or citing no call whose tag names the pod'
    from rows_ as r
    where r.basis = 'key-chain'
        and (r.confidence <> 'proven' or not exists (
            select 1 from cloud_events as c
            where list_contains(r.cloud_ids, c.event_id) and c.session_tags['kubernetes-pod-uid'] = r.pod_uid
        ))
    union all
    select r.event_id, r.confidence, r.rule_id, 'cites runtime row ' || x.id || ', which is not a connect'
    from rows_ as r, unnest(r.runtime_ids) as x(id)
    where not exists (select 1 from runtime_events as e where e.row_id = x.id and e.kind = 'connect')
    union all
    select r.event_id, r.confidence, r.rule_id, r.basis || ' from ' || coalesce(c.id, 'nothing') || ', which is not itself decided with a basis'
    from rows_ as r
    left join unnest(list_filter(r.cloud_ids, x -> x <> r.event_id)) as c(id) on true
    left join rows_ as f on f.event_id = c.id
    where r.confidence in ('proven', 'strong') and r.basis in ('carry', 'inherit')
        and (c.id is null or f.confidence not in ('proven', 'strong') or f.basis is null)
)

select * from problems
order by event_id, problem
