-- Pairs that measure a node's clock without any attribution: a cloud call whose origin is pinned
-- by the call itself, and the one runtime connect on that origin to that service around it.
--   node-role: a call with a node-role session (session name = instance id -> node), paired with
--              the connects of that node to the call's service;
--   source-ip: a call from a private address (through a VPC endpoint), paired with the connects
--              whose source address is that address.
-- A call pairs only when exactly one connect lies within 120 s of it (periodic traffic would
-- otherwise pair the wrong connect). offset = connect time - (eventTime + 0.5 s): CloudTrail
-- truncates eventTime to the second, and the connect precedes the request by milliseconds.
-- A call is one pair, whatever kinds it qualifies for (a node-role call from a private address is
-- both): counted once, with its kinds; a call whose kinds pick different connects pairs with none.
create or replace view int_clock__pairs as

with

calls as (
    select * from int_cloud__calls where not aws_invoked and source_is_ip
),

sessions as (
    select access_key_id, subject_node_name from int_cloud__sessions where subject_type = 'instance'
),

tetragon_nodes as (
    select distinct node_name from runtime_events where source = 'tetragon' and node_name is not null
),

connects as (
    -- one sensor per node: Tetragon where it runs, else Falco (its connects are positive evidence
    -- too). Both on one node would report the same connect twice and make each pair look ambiguous.
    select * from int_runtime__endpoint_connects
    where service <> 'imds'
        and (source = 'tetragon' or (source = 'falco' and node_name not in (select node_name from tetragon_nodes)))
),

node_role_matches as (
    select
        'node-role' as kind,
        c.event_id,
        c.ts as call_ts,
        r.row_id,
        r.ts as connect_ts,
        r.node_name
    from calls as c
    inner join sessions as s on s.access_key_id = c.access_key_id
    inner join connects as r
        on r.node_name = s.subject_node_name
        and r.service = c.event_source
        and r.ts between c.ts - interval 120 seconds and c.ts + interval 121 seconds
),

source_ip_matches as (
    select
        'source-ip' as kind,
        c.event_id,
        c.ts as call_ts,
        r.row_id,
        r.ts as connect_ts,
        r.node_name
    from calls as c
    inner join connects as r
        on c.source_is_private
        and r.src_ip = c.source_ip
        and r.service = c.event_source
        and r.ts between c.ts - interval 120 seconds and c.ts + interval 121 seconds
),

matches as (
    select * from node_role_matches
    union all
    select * from source_ip_matches
),

unique_matches as (
    select *, count(*) over (partition by kind, event_id) as n
    from matches
),

one_per_call as (
    select
        event_id,
        string_agg(kind, '+' order by kind) as kind,
        any_value(row_id) as row_id,
        any_value(node_name) as node_name,
        any_value(call_ts) as call_ts,
        any_value(connect_ts) as connect_ts
    from unique_matches
    where n = 1
    group by event_id
    having count(distinct row_id) = 1
),

final as (
    select
        kind,
        event_id,
        row_id,
        node_name,
        call_ts,
        connect_ts,
        pt_seconds_between(call_ts, connect_ts) - 0.5 as offset_seconds
    from one_per_call
)

select * from final
