-- int_attr__subject_candidates: the candidates a call's credential subject names (attribution,
-- step 2): the Pod Identity pod; the pods of the IRSA (or Pod Identity) service account; the pods
-- and host processes ('host:<node>') of the node-role node. One row per call, pod and origin.
create or replace view int_attr__subject_candidates as

with

events as (
    select * from int_attr__events
),

lifecycle as (
    select * from pod_lifecycle
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

final as (
    select * from pod_identity_candidates
    union all
    select * from irsa_candidates
    union all
    select * from node_role_candidates
)

select * from final
