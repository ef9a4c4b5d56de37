-- int_attr__tallies: one row per call counting its scored candidates by what the direct rules
-- ask of them (kept, explained, connected in the window or the 120 s before, blind, relayed,
-- in AWS's ranges, reaching the metadata service), with the one candidate each count names when it
-- is one (arg_max of the same condition).
create or replace view int_attr__tallies as

with

events as (
    select * from int_attr__events
),

scored as (
    select * from int_attr__scored
),

final as (
    select
        e.event_id,
        count(s.pod_uid) as n_all,
        count(s.pod_uid) filter (where s.ip_relation <> 'none') as n_kept,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.is_host) as n_kept_pods,
        count(s.pod_uid) filter (where s.explained) as n_explained,
        count(s.pod_uid) filter (where s.ip_relation = 'pod-ip') as n_pod_ip,
        arg_max(s.pod_uid, s.ip_relation = 'pod-ip') as pod_ip_uid,
        bool_or(s.is_relay) filter (where s.ip_relation = 'pod-ip') as pod_ip_is_relay,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.any_connect) as n_any,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.any_connect and s.decisive and s.explained) as n_decisive,
        arg_max(s.pod_uid, s.ip_relation <> 'none' and s.any_connect) as evidence_uid,
        bool_or(s.chain_positive and not (s.direct_decisive and s.own_relation is not null)) filter (where s.ip_relation <> 'none' and s.any_connect) as evidence_relayed,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.any_connect and s.any_recent) as n_recent,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.any_connect and s.any_recent and s.decisive_recent and s.explained) as n_decisive_recent,
        arg_max(s.pod_uid, s.ip_relation <> 'none' and not s.any_connect and s.any_recent) as recent_uid,
        bool_or(s.chain_recent_positive and not (s.direct_recent_decisive and s.own_relation is not null))
            filter (where s.ip_relation <> 'none' and not s.any_connect and s.any_recent) as recent_relayed,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.any_connect and (not s.observable or s.uncertain)) as n_blind,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.any_connect and s.any_recent) as n_recent_only,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.aws_any) as n_aws_any,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.has_range) as n_range,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.range_evidence) as n_range_decisive,
        arg_max(s.pod_uid, s.ip_relation <> 'none' and s.range_evidence) as range_uid,
        list_sort(list_distinct(list(s.node_name) filter (where s.ip_relation <> 'none' and not s.any_connect and not s.observable))) as blind_nodes,
        count(s.pod_uid) filter (where s.ip_relation in ('relay-hop', 'unexplained-connect')) as n_relay_doubt,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.imds_access in ('read', 'unseen')) as n_imds_pods,
        -- kept pods with no known address: one of them may be the unknown holder of the source
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.is_host and len(coalesce(s.pod_ips, []::VARCHAR[])) = 0) as n_kept_addressless,
        bool_or(s.pod_uid = e.pi_pod_uid and s.explained) as pi_explained,
        bool_or(s.pod_uid = e.pi_pod_uid and s.ip_relation <> 'none') as pi_kept
    from events as e
    left join scored as s on s.event_id = e.event_id
    group by e.event_id
)

select * from final
