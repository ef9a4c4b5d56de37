-- Candidate pods of each cloud call (attribution, step 2), with how the call's source address
-- relates to each of them. Candidates come from the credential's subject when it names one (the
-- Pod Identity pod; the pods of the IRSA service account; the pods and host processes of the
-- node-role node), else from the source address (pods holding that private IP, the node with that
-- IP, or the nodes behind that NAT address). A host pseudo-candidate 'host:<node>' stands for the
-- node's own processes.
-- ip_relation: pod-ip | node-ip | egress-nat | aws-service | unknown-source | none ('none' rules
-- the candidate out: the call came from an address it could not have used).
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

egress as (
    select * from case_egress
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
    select e.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'node-role-node' as origin
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
    select b.event_id, coalesce(g.node_name, n.node_name), 'egress-nat' as origin
    from by_address as b
    inner join egress as g
        on not b.source_is_private and b.source_ip_int between g.public_lo and g.public_hi
    left join nodes as n
        on g.node_name is null and pt_ipv4_int(n.node_ip) between g.subnet_lo and g.subnet_hi
    where coalesce(g.node_name, n.node_name) is not null
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

candidates as (
    select * from pod_identity_candidates
    union all
    select * from irsa_candidates
    union all
    select * from node_role_candidates
    union all
    select * from address_candidates
),

deduplicated as (
    select
        event_id,
        pod_uid,
        any_value(namespace) as namespace,
        any_value(name) as name,
        any_value(node_name) as node_name,
        any_value(service_account) as service_account,
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
    select distinct c.event_id, c.pod_uid
    from deduplicated as c
    inner join events as e on e.event_id = c.event_id
    inner join egress as g on e.source_ip_int between g.public_lo and g.public_hi
    left join nodes as n on n.node_name = c.node_name
    where not e.source_is_private
        and (g.node_name = c.node_name or pt_ipv4_int(n.node_ip) between g.subnet_lo and g.subnet_hi)
),

related as (
    select
        c.*,
        case
            when e.aws_invoked then 'aws-service'
            when e.source_ip is null then 'unknown-source'
            when e.source_is_private and list_contains(c.pod_ips, e.source_ip) then 'pod-ip'
            when e.source_is_private and list_contains(coalesce(ni.node_ips, []::VARCHAR[]), e.source_ip) then 'node-ip'
            when h.pod_uid is not null then 'egress-nat'
            else 'none'
        end as ip_relation
    from deduplicated as c
    inner join events as e on e.event_id = c.event_id
    left join candidate_node_ips as ni on ni.event_id = c.event_id and ni.pod_uid = c.pod_uid
    left join egress_hits as h on h.event_id = c.event_id and h.pod_uid = c.pod_uid
),

final as (
    select * from related
)

select * from final
