-- Each candidate of each call with what decides about it (attribution, step 4).
-- ip_relation: how the call's source relates to the candidate.
--   pod-ip | node-ip | node-address | egress-nat | aws-service | unknown-source   its own egress explains it
--   relay         a relayed connect explains it: the candidate connected to a relay whose outbound
--                 connect left from the call's source address (int_attr__relay_chains)
--   unobserved    its egress does not explain it, but its node's sensor saw nothing around the
--                 call: it may have used a relay unseen
--   relay-hop     its egress does not explain it, but it connected to an address that itself
--                 connected out in the window (a relay, perhaps towards another exit)
--   unexplained-connect  its egress does not explain it, but it connected to the call's service in
--                 the window (a NAT instance in the cluster routes without a connect of its own)
--   none          ruled out: a node-role call's pod that did not reach the metadata service's
--                 credentials within the key's validity, its node observed all along
--                 (int_attr__candidates, imds_access); or its node was observed, and it made none
--                 of the connects above; or
--                 the source is a public address no egress fact explains (no exit of the cluster,
--                 a relay's included, leads there: what is not seen cannot have used one either)
-- Elimination is a negative inference: only 'none' rules a candidate out.
-- decisive: the candidate's own evidence can single it out: a connect to the service in the window
-- with its own egress explaining the source (and it is not itself a known relay, whose connects may
-- be someone else's), or a positive relayed connect (int_attr__evidence). decisive_recent: the same
-- in the 120 s before the window. any_connect: a connect for the call: its own, a positive relayed
-- one, or a possible relayed one when its own egress does not explain the source (a relay nobody
-- knows as one, seen once, is a coincidence for a candidate whose own egress explains the source:
-- a pod calling its node's kubelet just before a host agent's call). uncertain: kept, but neither explained nor observed to be absent (blocks singling out
-- another candidate).
create or replace view int_attr__scored as

with

candidates as (
    select * from int_attr__candidates
),

evidence as (
    select * from int_attr__evidence
),

relays as (
    select * from int_runtime__relays where is_relay
),

joined as (
    select
        c.*,
        v.connect_row_ids,
        v.recent_row_ids,
        coalesce(v.offset_seconds, 0) as offset_seconds,
        v.has_direct,
        v.has_direct_recent,
        v.direct_decisive,
        v.direct_recent_decisive,
        v.range_row_ids,
        v.has_range,
        v.range_decisive,
        v.aws_any,
        v.chain_row_ids,
        v.chain_recent_row_ids,
        v.chain_positive,
        v.chain_recent_positive,
        v.chain_possible,
        v.chain_possible_any,
        v.chain_via,
        v.chain_fact_id,
        v.chain_relay_pod_uid,
        v.hop_any,
        v.observable,
        c.pod_uid like 'host:%' as is_host,
        exists (select 1 from relays as r where r.relay_pod_uid = c.pod_uid) as is_relay
    from candidates as c
    inner join evidence as v on v.event_id = c.event_id and v.pod_uid = c.pod_uid
),

related as (
    select
        *,
        case
            when imds_access = 'none' then 'none'
            when own_relation is not null then own_relation
            when chain_possible_any then 'relay'
            when source_outside then 'none'
            when not observable then 'unobserved'
            when hop_any then 'relay-hop'
            when has_direct then 'unexplained-connect'
            else 'none'
        end as ip_relation,
        case
            when own_relation is not null then own_fact_id
            when chain_possible_any then chain_fact_id
        end as fact_id
    from joined
),

final as (
    select
        *,
        ip_relation in ('pod-ip', 'node-ip', 'node-address', 'egress-nat', 'aws-service', 'unknown-source', 'relay') as explained,
        (direct_decisive and own_relation is not null and not is_relay) or chain_positive as decisive,
        (direct_recent_decisive and own_relation is not null and not is_relay) or chain_recent_positive as decisive_recent,
        has_direct or chain_positive or (chain_possible and own_relation is null) as any_connect,
        has_direct_recent or chain_recent_positive or (chain_possible_any and not chain_possible and own_relation is null) as any_recent,
        ip_relation in ('unobserved', 'relay-hop', 'unexplained-connect') as uncertain,
        -- a connect to an address in AWS's ranges decides only through the candidate's own NAT
        range_decisive and own_relation = 'egress-nat' and not is_relay as range_evidence
    from related
)

select * from final
