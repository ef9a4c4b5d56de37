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
-- The steps: int_attr__subject_candidates, int_attr__address_candidates and
-- int_attr__relay_candidates draw the candidates; this view merges them per call and pod and
-- relates each to the call's source.
create or replace view int_attr__candidates as

with

events as (
    select * from int_attr__events
),

nodes as (
    select * from int_attr__node_ips
),

source_facts as (
    select * from int_attr__source_facts
),

coverage as (
    select * from int_runtime__node_coverage
),

imds_readers as (
    select * from int_cloud__imds_readers
),

candidates as (
    select * from int_attr__subject_candidates
    union all
    select * from int_attr__address_candidates
    union all
    select * from int_attr__relay_candidates
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
