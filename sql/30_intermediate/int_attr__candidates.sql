-- Candidate pods of each cloud call (attribution, step 2), with how the call's source address
-- relates to each of them by the candidate's own egress. Candidates come from the credential's
-- subject when it names one (the Pod Identity pod; the pods of the IRSA service account; the pods
-- and host processes of the node-role node), else from the source address (pods holding that
-- private IP, the node with that IP, or the nodes behind that egress address). A host
-- pseudo-candidate 'host:<node>' stands for the node's own processes.
-- Pods reach AWS through other pods (proxies, egress gateways), so a call drawn by its address
-- also gets as candidates the clients of a relay that explains the address (relay-client: around
-- the call, and every earlier client of a known relay there), and
-- when a relay explains it, the pods of every node no sensor observed then (relay-blind): they
-- could have used the relay unseen.
-- own_relation: pod-ip | node-ip | node-address (int_attr__source_owners) | egress-nat | aws-service | unknown-source | NULL (its own
-- egress does not explain the source; the scoring step decides whether that rules it out).
-- own_fact_id: the egress fact that explained a public source (int_net__egress_facts).
-- source_outside: the source is a public address no egress fact explains: no exit of the cluster
-- leads there, a relay's included.
-- imds_access (node-role calls): host (the host or a host-network agent: they use the role all
-- day), read (it reached the metadata service's credentials within the key's validity: a connect to
-- it, or a command line naming the credentials path), unseen (its node's sensor has a 10-minute
-- stretch without events in that time: the read may be missing), none (ruled out).
create or replace view int_attr__candidates as

with

events as (
    select * from int_attr__events
),

lifecycle as (
    select * from pod_lifecycle
),

nodes as (
    select name as node_name, unnest(internal_ips) as node_ip
    from (select name, arg_max(internal_ips, snapshot_at) as internal_ips from k8s_nodes group by name)
),

source_facts as (
    select * from int_attr__source_facts
),

chains as (
    select * from int_attr__relay_chains
),

relays as (
    select * from int_runtime__relays where is_relay
),

coverage as (
    select * from int_runtime__node_coverage
),

imds_readers as (
    select * from int_cloud__imds_readers
),

pod_ips as (
    -- one row per pod interval and address: the address join below stays an equality join
    select pod_uid, interval_no, unnest(pod_ips) as ip from lifecycle
),

pod_identity_candidates as (
    select e.event_id, coalesce(a.pod_uid, e.pi_pod_uid) as pod_uid, a.namespace, a.name, a.node_name, a.service_account,
        a.pod_ips, a.host_network, 'pod-identity-tag' as origin
    from events as e
    left join lifecycle as a
        on a.pod_uid = e.pi_pod_uid
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    where e.path = 'pod-identity' and e.pi_pod_uid is not null
),

irsa_candidates as (
    select e.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        e.path || '-service-account' as origin
    from events as e
    inner join lifecycle as a
        on a.namespace = e.sa_namespace and a.service_account = e.sa_name
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    where e.path in ('irsa', 'pod-identity') and e.sa_name is not null and not (e.path = 'pod-identity' and e.pi_pod_uid is not null)
),

node_role_candidates as (
    -- the node's host-network agents use the role all day (the host); its other pods are candidates
    -- when they reached the metadata service's credentials within the key's validity
    select e.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        case when a.host_network then 'node-role-host-agent' else 'node-role-node' end as origin
    from events as e
    inner join lifecycle as a
        on a.node_name = e.subject_node_name
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    where e.path = 'node-role' and e.subject_node_name is not null
    union all
    select e.event_id, 'host:' || e.subject_node_name, null, null, e.subject_node_name, null, null, true, 'node-role-node'
    from events as e
    where e.path = 'node-role' and e.subject_node_name is not null
),

by_address as (
    -- no subject names the candidates: the source address does
    select *
    from events
    where not inherits
        and not (path = 'pod-identity' and pi_pod_uid is not null)
        and not (path in ('irsa', 'pod-identity') and sa_name is not null)
        and not (path = 'node-role' and subject_node_name is not null)
),

address_nodes as (
    select b.event_id, n.node_name, 'source-ip-node' as origin
    from by_address as b
    inner join nodes as n on b.source_is_private and n.node_ip = b.source_ip
    union
    select b.event_id, f.node_name, 'egress-nat' as origin
    from by_address as b
    inner join source_facts as f on f.event_id = b.event_id
    where f.node_name is not null
    union
    select o.event_id, o.node_name, 'source-ip-eni' from int_attr__source_owners as o where o.event_id in (select event_id from by_address)
),

relay_explained as (
    -- address-drawn calls whose source a relay explains: a relayed connect around the call, or a
    -- known relay at that address (or behind that egress)
    select distinct c.event_id
    from chains as c
    inner join by_address as b on b.event_id = c.event_id
    where c.via is not null
    union
    select b.event_id
    from by_address as b
    inner join relays as r on b.source_is_private and r.relay_ip = b.source_ip
    union
    select b.event_id
    from by_address as b
    inner join relays as r on true
    inner join source_facts as f on f.event_id = b.event_id and f.node_name = r.relay_node
    union
    select b.event_id
    from by_address as b
    inner join relays as r on true
    inner join nodes as n on b.source_is_private and n.node_ip = b.source_ip and n.node_name = r.relay_node
),

address_candidates as (
    select b.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'source-ip-pod' as origin
    from by_address as b
    inner join pod_ips as i on b.source_is_private and i.ip = b.source_ip
    inner join lifecycle as a on a.pod_uid = i.pod_uid and a.interval_no = i.interval_no
    inner join events as e on e.event_id = b.event_id
    where a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    union all
    select n.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network, n.origin
    from address_nodes as n
    inner join events as e on e.event_id = n.event_id
    inner join lifecycle as a
        on a.node_name = n.node_name
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    union all
    select n.event_id, 'host:' || n.node_name, null, null, n.node_name, null, null, true, n.origin
    from address_nodes as n
),

known_relay_sources as (
    -- address-drawn calls whose source is a known relay's address or egress
    select b.event_id, r.relay_ip, r.relay_pod_uid
    from by_address as b
    inner join relays as r on b.source_is_private and r.relay_ip = b.source_ip
    union
    select b.event_id, r.relay_ip, r.relay_pod_uid
    from by_address as b
    inner join relays as r on true
    inner join source_facts as f on f.event_id = b.event_id and f.node_name = r.relay_node
    union
    select b.event_id, r.relay_ip, r.relay_pod_uid
    from by_address as b
    inner join relays as r on true
    inner join nodes as n on b.source_is_private and n.node_ip = b.source_ip and n.node_name = r.relay_node
),

relay_candidates as (
    -- the clients of a relay that explains the source
    select c.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'relay-client' as origin
    from chains as c
    inner join by_address as b on b.event_id = c.event_id
    inner join lifecycle as a
        on a.pod_uid = c.client_pod_uid
        and a.valid_from <= b.ts + to_seconds(b.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= b.ts - to_seconds(b.tolerance_seconds))
    where c.via is not null
    union all
    select c.event_id, c.client_pod_uid, null, null, c.client_node, null, null, true, 'relay-client'
    from chains as c
    inner join by_address as b on b.event_id = c.event_id
    where c.via is not null and c.client_pod_uid like 'host:%'
    union all
    -- every client a known relay at the source had before the call: one of them may have sent it
    -- on a tunnel opened earlier
    select k.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'relay-client' as origin
    from known_relay_sources as k
    inner join by_address as b on b.event_id = k.event_id
    inner join int_runtime__relay_hops as h
        on h.relay_ip = k.relay_ip and h.relay_pod_uid is not distinct from k.relay_pod_uid and h.front <> 'opaque'
        and h.hop_ref_ts <= b.ts + to_seconds(b.tolerance_seconds)
    inner join lifecycle as a
        on a.pod_uid = h.client_pod_uid
        and a.valid_from <= b.ts + to_seconds(b.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= b.ts - to_seconds(b.tolerance_seconds))
    union all
    -- every pod of a node the sensors did not observe around the call could have used the relay
    select b.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'relay-blind' as origin
    from relay_explained as r
    inner join by_address as b on b.event_id = r.event_id
    inner join lifecycle as a
        on a.valid_from <= b.ts + to_seconds(b.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= b.ts - to_seconds(b.tolerance_seconds))
    where not exists (
        select 1 from coverage as v
        where v.node_name = a.node_name
            and v.minute between date_trunc('minute', b.ts) - interval 5 minutes and date_trunc('minute', b.ts) + interval 5 minutes
    )
),

candidates as (
    select * from pod_identity_candidates
    union all
    select * from irsa_candidates
    union all
    select * from node_role_candidates
    union all
    select * from address_candidates
    union all
    select * from relay_candidates
),

deduplicated as (
    select
        event_id,
        pod_uid,
        any_value(namespace) filter (where namespace is not null) as namespace,
        any_value(name) filter (where name is not null) as name,
        any_value(node_name) filter (where node_name is not null) as node_name,
        any_value(service_account) filter (where service_account is not null) as service_account,
        list_sort(list_distinct(flatten(list(coalesce(pod_ips, []::VARCHAR[]))))) as pod_ips,
        bool_or(coalesce(host_network, false)) as host_network,
        list_sort(list_distinct(list(origin))) as origins
    from candidates
    where pod_uid is not null
    group by event_id, pod_uid
),

candidate_node_ips as (
    select c.event_id, c.pod_uid, list(n.node_ip) filter (where n.node_ip is not null) as node_ips
    from deduplicated as c
    left join nodes as n on n.node_name = c.node_name
    group by c.event_id, c.pod_uid
),

egress_hits as (
    select c.event_id, c.pod_uid, min(f.fact_id) as fact_id
    from deduplicated as c
    inner join source_facts as f on f.event_id = c.event_id and f.node_name = c.node_name
    group by c.event_id, c.pod_uid
),

related as (
    select
        c.*,
        -- a public source no egress fact explains: no exit of the cluster (a relay's included) leads there
        e.source_is_ip and not e.source_is_private and not exists (select 1 from source_facts as f where f.event_id = c.event_id) as source_outside,
        case
            when e.aws_invoked then 'aws-service'
            when e.source_ip is null then 'unknown-source'
            -- a host-network pod's IP is its node's: shared with the host and its other agents
            when e.source_is_private and not c.host_network and list_contains(c.pod_ips, e.source_ip) then 'pod-ip'
            when e.source_is_private and list_contains(coalesce(ni.node_ips, []::VARCHAR[]), e.source_ip) then 'node-ip'
            when e.source_is_private and not c.host_network and len(c.pod_ips) = 0 and exists (select 1 from int_attr__source_owners as o where o.event_id = c.event_id and o.node_name = c.node_name) then 'node-address'
            when h.pod_uid is not null then 'egress-nat'
        end as own_relation,
        h.fact_id as own_fact_id,
        -- node role: whether the candidate reached the metadata service's credentials within the
        -- key's validity (from the session's creation, else 6 h, to the call); a host-network
        -- agent or the host needs not (they use the role all day)
        case
            when e.path <> 'node-role' then null
            when c.pod_uid like 'host:%' or c.host_network then 'host'
            when exists (
                select 1 from imds_readers as i
                where i.pod_uid = c.pod_uid
                    and i.ref_ts between coalesce(e.session_created_at, e.ts - interval 6 hours) - to_seconds(e.tolerance_seconds)
                        and e.ts + to_seconds(e.tolerance_seconds)
            ) then 'read'
            when not exists (
                -- the node's sensor may have missed the read: a 10-minute stretch without events
                select 1 from (
                    select count(distinct epoch(v.minute)::BIGINT // 600) as seen,
                        (epoch(e.ts)::BIGINT // 600) - (epoch(coalesce(e.session_created_at, e.ts - interval 6 hours))::BIGINT // 600) + 1 as needed
                    from coverage as v
                    where v.node_name = c.node_name
                        and v.minute between date_trunc('minute', coalesce(e.session_created_at, e.ts - interval 6 hours)) and e.ts
                ) as k
                where k.seen >= k.needed
            ) then 'unseen'
            else 'none'
        end as imds_access
    from deduplicated as c
    inner join events as e on e.event_id = c.event_id
    left join candidate_node_ips as ni on ni.event_id = c.event_id and ni.pod_uid = c.pod_uid
    left join egress_hits as h on h.event_id = c.event_id and h.pod_uid = c.pod_uid
),

final as (
    select * from related
)

select * from final
