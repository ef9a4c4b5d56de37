-- Each call decided on its own evidence (attribution, step 5), before any carry or inheritance.
--   pod-identity-tag   proven: the Pod Identity session tag names the pod and the source fits it
--                      (its own egress, or a relay it connected to)
--   irsa-source-ip     proven: IRSA, the source is a pod IP held by exactly one pod of the service
--                      account, which relayed nobody's connect then and is no known relay, and
--                      inventory snapshots bracket the call (no gap in its pod history)
--   source-ip-pod      strong: exactly one candidate holds the source address, and it relayed
--                      nobody's connect then and is no known relay
--   <path>-runtime-connect  strong: exactly one candidate connected to the service in the window,
--                      its own egress explains the source, and no other candidate can be unseen:
--                      each other one's node was observable, it made no connect that a relay
--                      could have carried out (int_attr__scored, uncertain), and it had no
--                      connection to the service open from the 120 s before (a kept-alive one)
--   <path>-relay-connect    strong: as above, the one connect being relayed: the candidate
--                      connected to a known relay, which connected to the service within the
--                      tolerance from the call's source address
--   <path>-aws-range-connect  strong: no candidate connected to an endpoint of the service in the
--                      window; exactly one connected to an address in AWS's published ranges whose
--                      code allows the service, through its own NAT (the call came through its
--                      egress), and no other candidate connected to any AWS address then; the same
--                      conditions on the others. Needs an ip-ranges file (aws_ip_ranges).
--   <path>-keepalive-connect  strong: no candidate connected in the window, exactly one (directly
--                      or through a relay) in the 120 s before it, on the same conditions
--   <path>-single-pod  strong: IRSA or Pod Identity, exactly one pod of the service account existed
--                      at that moment (whatever elimination left), and no pod of its namespace
--                      whose service account no evidence shows was running then, its address, a relay or a
--                      declared or collected egress fact explains the source (a learned one alone
--                      never decides), and inventory snapshots bracket the call
--   unresolved-holder  unattributed: no candidate's egress (nor a relay) explains the call's private
--                      source address, and the pod that held that address at the call is not
--                      among the candidates and may be one of them: no pod or node the evidence
--                      knows held it (a pod deleted before the first snapshot, its audit rotated
--                      away, on a node whose sensor gives no pod identity), or the pod that held
--                      it is known only from runtime or audit evidence that shows no service
--                      account. The candidates left would only be relay hypotheses around an
--                      unknown holder: the set is not closed, so no candidate list is claimed.
--   node-role-host     unattributed: a node-role call when no pod of the node reached the metadata
--                      service's credentials within the key's validity (only the host and its
--                      host-network agents remain) and no runtime connect names one of those
-- otherwise ambiguous (the candidates listed) or unattributed (the reason says what is missing).
-- basis names the evidence that decided: key-chain | source-address | runtime | relay | keepalive
-- | single-pod (int_attr__rules holds each rule's version).
create or replace view int_attr__direct as

with

events as (
    select * from int_attr__events
),

scored as (
    select * from int_attr__scored
),

chains as (
    select * from int_attr__relay_chains
),

lifecycle as (
    select * from pod_lifecycle
),

snapshot_instants as (
    select distinct snapshot_at from k8s_pods
),

sa_pods as (
    -- pods of the call's service account that existed at that moment, eliminated or not (n, and
    -- the one when n = 1), and pods of its namespace then whose service account no evidence shows
    -- (known from runtime or audit only: one of them may be a pod of the account)
    select
        e.event_id,
        count(distinct a.pod_uid) filter (where a.service_account = e.sa_name) as n,
        min(a.pod_uid) filter (where a.service_account = e.sa_name) as pod_uid,
        count(distinct a.pod_uid) filter (where a.service_account is null) as n_unknown
    from events as e
    inner join lifecycle as a
        on a.namespace = e.sa_namespace and (a.service_account = e.sa_name or a.service_account is null)
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    where e.path in ('irsa', 'pod-identity') and e.sa_name is not null
    group by e.event_id
),

address_holders as (
    -- pods the evidence knows held the call's private source address at the call, with whether
    -- they may be a pod of the call's service account (theirs is unknown) and are no candidate
    select
        e.event_id,
        a.pod_uid,
        coalesce(a.namespace, '?') || '/' || coalesce(a.name, a.pod_uid) as pod_ref,
        a.service_account is null
            and (e.sa_namespace is null or a.namespace is null or a.namespace = e.sa_namespace)
            and not exists (select 1 from scored as s where s.event_id = e.event_id and s.pod_uid = a.pod_uid) as open_holder
    from events as e
    inner join (select pod_uid, interval_no, unnest(pod_ips) as ip from lifecycle) as i on i.ip = e.source_ip
    inner join lifecycle as a on a.pod_uid = i.pod_uid and a.interval_no = i.interval_no
    where e.source_is_private and not e.aws_invoked
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
),

holder_state as (
    -- whether the holder of the call's private source address is resolved: a pod or node the
    -- evidence knows, or a node whose interfaces hold it (int_attr__source_owners)
    select
        e.event_id,
        count(h.pod_uid) as n_holders,
        count(h.pod_uid) filter (where h.open_holder) as n_open_holders,
        list_sort(list_distinct(list(h.pod_ref) filter (where h.open_holder))) as open_holders
    from events as e
    left join address_holders as h on h.event_id = e.event_id
    where e.source_is_private and not e.aws_invoked and e.source_ip is not null
        and not exists (select 1 from int_attr__node_ips as n where n.node_ip = e.source_ip)
        and not exists (select 1 from int_attr__source_owners as o where o.event_id = e.event_id)
    group by e.event_id
),

source_relayed as (
    -- someone connected to the holder of the source address, which then connected out
    select distinct event_id from chains where via = 'pod-ip' and service_match is not false
),

per_event as (
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
),

bracketed as (
    select
        e.event_id,
        exists (select 1 from snapshot_instants as s where s.snapshot_at <= e.ts)
            and exists (select 1 from snapshot_instants as s where s.snapshot_at >= e.ts) as inventory_brackets
    from events as e
),

inputs as (
    select
        e.*,
        p.* exclude (event_id),
        b.inventory_brackets,
        coalesce(sp.n, 0) as n_sa_pods,
        sp.pod_uid as sa_pod_uid,
        -- learned egress alone never decides: the single pod must fit the source otherwise
        coalesce(ss.explained and (ss.ip_relation in ('pod-ip', 'node-ip', 'relay')
            or (ss.ip_relation = 'egress-nat' and ss.fact_id not like 'learned:%')), false) as sa_pod_explained,
        r.event_id is not null as source_relayed,
        coalesce(sp.n_unknown, 0) as n_unknown_sa_pods,
        -- the source's holder is unresolved: an open holder held it, or nobody the evidence knows
        -- did while every kept pod has an address of its own
        hs.event_id is not null and (hs.n_open_holders > 0 or (hs.n_holders = 0 and p.n_kept_addressless = 0)) as holder_unresolved,
        hs.n_open_holders,
        hs.open_holders
    from events as e
    inner join per_event as p on p.event_id = e.event_id
    inner join bracketed as b on b.event_id = e.event_id
    left join sa_pods as sp on sp.event_id = e.event_id
    left join scored as ss on ss.event_id = e.event_id and ss.pod_uid = sp.pod_uid and sp.n = 1
    left join source_relayed as r on r.event_id = e.event_id
    left join holder_state as hs on hs.event_id = e.event_id
),

decided as (
    select
        *,
        case
            when inherits then 'inherit'
            when path = 'pod-identity' and pi_pod_uid is not null then
                case when pi_explained then 'tag' when pi_kept then 'tag-doubt' else 'tag-outside' end
            when n_kept = 0 then 'none'
            when n_pod_ip = 1 and not coalesce(pod_ip_is_relay, false) and not source_relayed then
                case when path = 'irsa' and source_is_private and inventory_brackets then 'irsa-ip' else 'ip' end
            when n_any = 1 and n_decisive = 1 and n_blind = 0 and n_recent_only = 0 then
                case when evidence_uid like 'host:%' then 'host' when evidence_relayed then 'relay' else 'runtime' end
            when n_any = 0 and n_range = 1 and n_range_decisive = 1 and n_aws_any = 1 and n_blind = 0 and n_recent_only = 0 then
                case when range_uid like 'host:%' then 'host-range' else 'range' end
            when n_any = 0 and n_recent = 1 and n_decisive_recent = 1 and n_blind = 0 then
                case when recent_uid like 'host:%' then 'host-recent' else 'keepalive' end
            when path = 'node-role' and subject_node_name is not null and n_imds_pods = 0 then 'node-host'
            when path in ('irsa', 'pod-identity') and sa_name is not null and n_sa_pods = 1 and n_unknown_sa_pods = 0 and sa_pod_explained and inventory_brackets then 'single'
            when n_kept_pods = 0 then 'only-host'
            -- no kept candidate explains the private source, and its holder is unknown or may be a pod of the account
            when n_explained = 0 and holder_unresolved then 'unresolved'
            else 'open'
        end as outcome
    from inputs
),

final as (
    select
        event_id,
        path,
        case outcome
            when 'inherit' then 'pending'
            when 'tag' then 'proven'
            when 'irsa-ip' then 'proven'
            when 'ip' then 'strong'
            when 'runtime' then 'strong'
            when 'relay' then 'strong'
            when 'keepalive' then 'strong'
            when 'range' then 'strong'
            when 'single' then 'strong'
            when 'tag-doubt' then 'ambiguous'
            when 'open' then 'ambiguous'
            else 'unattributed'
        end as confidence,
        case outcome
            when 'inherit' then 'aws-service-inherit'
            when 'tag' then 'pod-identity-tag'
            when 'tag-doubt' then 'ambiguous-candidates'
            when 'tag-outside' then 'pod-identity-tag'
            when 'none' then 'no-candidate'
            when 'irsa-ip' then 'irsa-source-ip'
            when 'ip' then 'source-ip-pod'
            when 'runtime' then path || '-runtime-connect'
            when 'relay' then path || '-relay-connect'
            when 'keepalive' then path || '-keepalive-connect'
            when 'range' then path || '-aws-range-connect'
            when 'host' then 'host-process-connect'
            when 'host-range' then 'host-process-connect'
            when 'node-host' then 'node-role-host'
            when 'host-recent' then 'host-process-connect'
            when 'single' then path || '-single-pod'
            when 'only-host' then 'no-candidate'
            when 'unresolved' then 'unresolved-holder'
            else 'ambiguous-candidates'
        end as rule_id,
        case outcome
            when 'tag' then pi_pod_uid
            when 'irsa-ip' then pod_ip_uid
            when 'ip' then pod_ip_uid
            when 'runtime' then evidence_uid
            when 'relay' then evidence_uid
            when 'keepalive' then recent_uid
            when 'range' then range_uid
            when 'single' then sa_pod_uid
        end as pod_uid,
        case outcome
            when 'tag' then 'key-chain'
            when 'irsa-ip' then 'source-address'
            when 'ip' then 'source-address'
            when 'runtime' then 'runtime'
            when 'relay' then 'relay'
            when 'keepalive' then case when recent_relayed then 'relay' else 'keepalive' end
            when 'range' then 'aws-range'
            when 'single' then 'single-pod'
        end as basis,
        case outcome
            when 'tag-outside' then
                'the credential was issued to pod ' || pi_pod_uid || ' (Pod Identity tag) but the call came from '
                || coalesce(source_ip, 'an unknown address') || ', an address that pod could not use'
            when 'tag-doubt' then
                'the credential was issued to pod ' || pi_pod_uid || ' (Pod Identity tag); the call came from '
                || coalesce(source_ip, 'an unknown address') || ', which its own egress does not explain, and the evidence cannot rule out a relay'
            when 'none' then
                case
                    when source_is_ip and not source_is_private and n_all > 0 then
                        'the call came from ' || source_ip || ', outside the cluster: not a pod, node or egress address of a candidate, nor a relay one connected to'
                    when source_is_ip and not source_is_private then
                        'the call came from ' || source_ip || ', outside the cluster: not a node or egress address'
                    when path = 'irsa' and sa_name is not null and n_all = 0 then
                        'no pod of service account ' || sa_namespace || ':' || sa_name || ' was known to run at that time (no inventory, audit or runtime evidence of one)'
                    when path = 'irsa' and sa_name is not null then
                        'the call came from ' || coalesce(source_ip, 'an unknown address') || ', an address no pod of service account '
                        || sa_namespace || ':' || sa_name || ' could use'
                    when path = 'node-role' and subject_node_name is null then
                        'instance ' || coalesce(session_name, '?') || ' is not a node of the inventory'
                    when source_is_private then 'no pod or node held ' || source_ip || ' at that time'
                    else 'no evidence names a pod: no session subject and no usable source address'
                end
            when 'host' then
                'made by a host process of node ' || substr(evidence_uid, 6) || ' (its connect to ' || event_source || '), not by a pod'
            when 'host-recent' then
                'made by a host process of node ' || substr(recent_uid, 6) || ' (its kept-alive connection to ' || event_source || '), not by a pod'
            when 'host-range' then
                'made by a host process of node ' || substr(range_uid, 6) || ' (its connect to an AWS address through the NAT), not by a pod'
            when 'only-host' then 'only host processes could have made the call, and none connected in the window'
            when 'unresolved' then
                case
                    when n_open_holders > 0 then
                        'the call came from ' || source_ip || ', held then by ' || pt_count(n_open_holders, 'pod', 'pods') || ' (' || array_to_string(open_holders, ', ')
                        || ') that no evidence ties to a service account, and not among the candidates: '
                    else
                        'the call came from ' || source_ip || ', which no pod or node the evidence knows held at that time (a pod gone before the inventory, audit and runtime evidence covers it): '
                end
                || 'no candidate''s egress explains that address, so the ' || pt_count(n_kept, 'candidate', 'candidates')
                || ' left cannot be a closed set'
            when 'node-host' then
                'no pod of node ' || subject_node_name || ' reached the instance metadata service''s credentials since the key was issued'
                || coalesce(' (' || strftime(session_created_at, '%Y-%m-%dT%H:%M:%SZ') || ')', '')
                || ': the host or its host-network agents (kubelet, CNI, the Pod Identity agent) made it'
            when 'open' then
                case
                    when n_any > 1 then n_any || ' candidates connected to ' || event_source || ' in the window (directly or through a relay)'
                    when len(blind_nodes) > 0 then
                        'no runtime sensor evidence from ' || array_to_string(blind_nodes, ', ') || ' around the call; '
                        || pt_count(n_kept, 'candidate remains', 'candidates remain')
                    when n_relay_doubt > 0 then
                        pt_count(n_relay_doubt, 'candidate', 'candidates') || ' connected to a relay or to the service while their own egress does not explain the source; '
                        || pt_count(n_kept, 'candidate remains', 'candidates remain')
                    when n_any = 1 and n_recent_only > 0 then
                        'one candidate connected to ' || event_source || ' in the window, and ' || n_recent_only
                        || ' other candidates had a connection to it open from the 120 s before (kept alive)'
                    when n_any = 1 and n_decisive = 0 then 'one candidate connected, but not in a way that explains the source address'
                    when n_any = 0 and n_range >= 1 and n_aws_any > 1 then
                        n_aws_any || ' candidates connected to AWS addresses in the window: a connect to AWS''s ranges does not name the service'
                    when n_any = 1 then 'one candidate connected, but others could not be observed'
                    when path in ('irsa', 'pod-identity') and sa_name is not null and n_sa_pods > 1 then
                        n_sa_pods || ' pods of service account ' || sa_namespace || ':' || sa_name || ' existed, and no runtime connect to '
                        || event_source || ' singles one out'
                    else pt_count(n_kept, 'candidate', 'candidates') || ', and no runtime connect to ' || event_source || ' singles one out'
                end
        end as reason,
        n_kept as n_consistent
    from decided
)

select * from final
