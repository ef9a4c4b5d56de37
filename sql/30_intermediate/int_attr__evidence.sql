-- Runtime evidence for each candidate of each call (attribution, step 3):
--   connect_row_ids  its connects to an endpoint serving the call's service inside the call's
--                    window (reference clock), except a known relay's connects that followed a
--                    client's connect to it (those are the client's: chain_* below);
--   recent_row_ids   its connects to that service in the 120 s before the window (a kept-alive
--                    connection: SDKs reuse a connection until the endpoint closes it, 60 s idle on
--                    AWS endpoints, so a call with no connect of its own rides on one opened
--                    shortly before);
--   chain_*          relayed connects (int_attr__relay_chains) whose relay explains the call's
--                    source: hop and outbound row ids, in the window or in the 120 s before it;
--                    chain_positive when the relay is a known relay (int_runtime__relays), the pair
--                    is tight and the relay's outbound went to an endpoint of the call's service,
--                    else the chain only makes the candidate possible;
--   hop_any          it connected, in the window or the 120 s before, to an address that itself
--                    connected out (whether or not that explains this call), or to an address
--                    nobody is known to hold while someone connected out;
--   range_row_ids    its connects in the window to an address in AWS's published ranges that an
--                    endpoint does not name, whose prefix's code allows the call's service (S3 and
--                    DYNAMODB name theirs; the other codes any service): a connect to "an AWS
--                    service" through a NAT;
--   aws_any          it connected in the window to any AWS address (an endpoint of any service, an
--                    address in AWS's ranges);
--   observable       its node's sensor reported within 5 minutes of the call (a missing connect
--                    only counts when it did).
-- A connect opens a connection for the call logged in the 1.5 s after it (eventTime is cut to the
-- second): its openers are those calls (its pod being a candidate of each). When every opener was
-- made with another key than this call's, the connect is those calls' evidence, not this one's:
-- one pod's connect never decides another pod's call that rode on a connection the evidence does
-- not show. When its openers hold two keys or more, it is contested: it keeps its pod a candidate
-- of each, and decides none (*_decisive lists only uncontested rows).
create or replace view int_attr__evidence as

with

events as (
    select event_id, ts from int_attr__events
),

candidates as (
    select * from int_attr__candidates
),

connect_evidence as (
    select * from int_attr__connect_evidence
),

chain_evidence as (
    select * from int_attr__chain_evidence
),

coverage as (
    select * from int_runtime__node_coverage
),

final as (
    select
        p.event_id,
        p.pod_uid,
        p.connect_row_ids,
        p.recent_row_ids,
        p.offset_seconds,
        len(p.connect_row_ids) > 0 as has_direct,
        p.range_row_ids,
        len(p.range_row_ids) > 0 as has_range,
        p.range_decisive,
        p.aws_any,
        len(p.recent_row_ids) > 0 as has_direct_recent,
        p.direct_decisive,
        p.direct_recent_decisive,
        ch.chain_row_ids,
        ch.chain_recent_row_ids,
        ch.chain_positive,
        ch.chain_recent_positive,
        ch.chain_possible,
        ch.chain_possible_any,
        ch.chain_via,
        ch.chain_fact_id,
        ch.chain_relay_pod_uid,
        ch.hop_any,
        exists (
            select 1 from coverage as v
            where v.node_name = c.node_name
                and v.minute between date_trunc('minute', e.ts) - interval 5 minutes and date_trunc('minute', e.ts) + interval 5 minutes
        ) as observable
    from connect_evidence as p
    inner join candidates as c on c.event_id = p.event_id and c.pod_uid = p.pod_uid
    inner join events as e on e.event_id = p.event_id
    inner join chain_evidence as ch on ch.event_id = p.event_id and ch.pod_uid = p.pod_uid
)

select * from final
