-- Each call decided on its own evidence (attribution, step 4), before any carry or inheritance.
--   pod-identity-tag   proven: the Pod Identity session tag names the pod and the source fits it
--   irsa-source-ip     proven: IRSA, the source is a pod IP held by exactly one pod of the service
--                      account, and inventory snapshots bracket the call (no gap in its pod history)
--   source-ip-pod      strong: exactly one candidate holds the source address
--   <path>-runtime-connect  strong: exactly one candidate connected to the service in the window,
--                      and every other candidate's node was observable by its sensor
--   <path>-keepalive-connect  strong: no candidate connected in the window, exactly one connected to
--                      the service in the 120 s before it (the call rode that kept-alive connection),
--                      and every other candidate's node was observable
--   <path>-single-pod  strong: IRSA or Pod Identity, one pod of the service account ran (and could
--                      use the source address), inventory snapshots bracket the call
-- otherwise ambiguous (the candidates listed) or unattributed (the reason says what is missing).
-- Rule version 1 for every rule.
create or replace view int_attr__direct as

with

events as (
    select * from int_attr__events
),

candidates as (
    select * from int_attr__candidates
),

evidence as (
    select * from int_attr__evidence
),

snapshot_instants as (
    select distinct snapshot_at from k8s_pods
),

scored as (
    select
        c.*,
        coalesce(v.has_connect, false) as has_connect,
        coalesce(v.observable, false) as observable,
        coalesce(v.connect_row_ids, []::VARCHAR[]) as connect_row_ids,
        coalesce(v.has_recent, false) as has_recent,
        coalesce(v.recent_row_ids, []::VARCHAR[]) as recent_row_ids,
        coalesce(v.offset_seconds, 0) as offset_seconds,
        c.pod_uid like 'host:%' as is_host
    from candidates as c
    left join evidence as v on v.event_id = c.event_id and v.pod_uid = c.pod_uid
),

per_event as (
    select
        e.event_id,
        count(s.pod_uid) as n_all,
        count(s.pod_uid) filter (where s.ip_relation <> 'none') as n_consistent,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.is_host) as n_consistent_pods,
        count(s.pod_uid) filter (where s.ip_relation = 'pod-ip') as n_pod_ip,
        arg_max(s.pod_uid, s.ip_relation = 'pod-ip') as pod_ip_uid,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.has_connect) as n_evidence,
        arg_max(s.pod_uid, s.ip_relation <> 'none' and s.has_connect) as evidence_uid,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and not s.has_connect and not s.observable) as n_blind,
        count(s.pod_uid) filter (where s.ip_relation <> 'none' and s.has_recent) as n_recent,
        arg_max(s.pod_uid, s.ip_relation <> 'none' and s.has_recent) as recent_uid,
        list_sort(list_distinct(list(s.node_name) filter (where s.ip_relation <> 'none' and not s.has_connect and not s.observable))) as blind_nodes,
        arg_max(s.pod_uid, s.ip_relation <> 'none') as single_uid,
        bool_or(s.pod_uid = e.pi_pod_uid and s.ip_relation <> 'none') as pi_consistent,
        list_sort(list(s.connect_row_ids) filter (where s.ip_relation <> 'none')) as all_connects
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

decided as (
    select
        e.event_id,
        e.path,
        case
            when e.inherits then 'pending'
            when e.path = 'pod-identity' and e.pi_pod_uid is not null then
                case when p.pi_consistent then 'proven' else 'unattributed' end
            when p.n_consistent = 0 then 'unattributed'
            when e.path = 'irsa' and e.source_is_private and p.n_pod_ip = 1 and b.inventory_brackets then 'proven'
            when p.n_pod_ip = 1 then 'strong'
            when p.n_evidence = 1 and p.n_blind = 0 then
                case when p.evidence_uid like 'host:%' then 'unattributed' else 'strong' end
            when p.n_evidence = 0 and p.n_recent = 1 and p.n_blind = 0 then
                case when p.recent_uid like 'host:%' then 'unattributed' else 'strong' end
            when e.path in ('irsa', 'pod-identity') and e.sa_name is not null and p.n_consistent = 1 and p.n_consistent_pods = 1 and b.inventory_brackets then 'strong'
            when p.n_consistent_pods = 0 then 'unattributed'
            else 'ambiguous'
        end as confidence,
        case
            when e.inherits then 'aws-service-inherit'
            when e.path = 'pod-identity' and e.pi_pod_uid is not null then 'pod-identity-tag'
            when p.n_consistent = 0 then 'no-candidate'
            when e.path = 'irsa' and e.source_is_private and p.n_pod_ip = 1 and b.inventory_brackets then 'irsa-source-ip'
            when p.n_pod_ip = 1 then 'source-ip-pod'
            when p.n_evidence = 1 and p.n_blind = 0 then
                case when p.evidence_uid like 'host:%' then 'host-process-connect' else e.path || '-runtime-connect' end
            when p.n_evidence = 0 and p.n_recent = 1 and p.n_blind = 0 then
                case when p.recent_uid like 'host:%' then 'host-process-connect' else e.path || '-keepalive-connect' end
            when e.path in ('irsa', 'pod-identity') and e.sa_name is not null and p.n_consistent = 1 and p.n_consistent_pods = 1 and b.inventory_brackets then e.path || '-single-pod'
            when p.n_consistent_pods = 0 then 'no-candidate'
            else 'ambiguous-candidates'
        end as rule_id,
        case
            when e.inherits then null
            -- the tag names the pod the key was issued to; the call is that pod's only when its source fits
            when e.path = 'pod-identity' and e.pi_pod_uid is not null then case when p.pi_consistent then e.pi_pod_uid end
            when p.n_consistent = 0 then null
            when e.path = 'irsa' and e.source_is_private and p.n_pod_ip = 1 and b.inventory_brackets then p.pod_ip_uid
            when p.n_pod_ip = 1 then p.pod_ip_uid
            when p.n_evidence = 1 and p.n_blind = 0 and p.evidence_uid not like 'host:%' then p.evidence_uid
            when p.n_evidence = 0 and p.n_recent = 1 and p.n_blind = 0 and p.recent_uid not like 'host:%' then p.recent_uid
            when e.path in ('irsa', 'pod-identity') and e.sa_name is not null and p.n_consistent = 1 and p.n_consistent_pods = 1 and b.inventory_brackets then p.single_uid
        end as pod_uid,
        case
            when e.inherits then null
            when e.path = 'pod-identity' and e.pi_pod_uid is not null and not p.pi_consistent then
                'the credential was issued to pod ' || e.pi_pod_uid || ' (Pod Identity tag) but the call came from '
                || coalesce(e.source_ip, 'an unknown address') || ', an address that pod could not use'
            when p.n_consistent = 0 then
                case
                    when e.source_is_ip and not e.source_is_private and p.n_all > 0 then
                        'the call came from ' || e.source_ip || ', outside the cluster: not a pod, node or declared egress address of a candidate'
                    when e.source_is_ip and not e.source_is_private then
                        'the call came from ' || e.source_ip || ', outside the cluster: not a node or declared egress address'
                    when e.path = 'irsa' and e.sa_name is not null and p.n_all = 0 then
                        'no pod of service account ' || e.sa_namespace || ':' || e.sa_name || ' was running at that time'
                    when e.path = 'irsa' and e.sa_name is not null then
                        'the call came from ' || coalesce(e.source_ip, 'an unknown address') || ', an address no pod of service account '
                        || e.sa_namespace || ':' || e.sa_name || ' could use'
                    when e.path = 'node-role' and e.subject_node_name is null then
                        'instance ' || coalesce(e.session_name, '?') || ' is not a node of the inventory'
                    when e.source_is_private then 'no pod or node held ' || e.source_ip || ' at that time'
                    else 'no evidence names a pod: no session subject and no usable source address'
                end
            when p.n_evidence = 1 and p.n_blind = 0 and p.evidence_uid like 'host:%' then
                'made by a host process of node ' || substr(p.evidence_uid, 6) || ' (its connect to ' || e.event_source || '), not by a pod'
            when p.n_evidence = 0 and p.n_recent = 1 and p.n_blind = 0 and p.recent_uid like 'host:%' then
                'made by a host process of node ' || substr(p.recent_uid, 6) || ' (its kept-alive connection to ' || e.event_source || '), not by a pod'
            when p.n_consistent_pods = 0 then 'only host processes could have made the call, and none connected in the window'
            when p.n_pod_ip = 1 or (p.n_evidence = 1 and p.n_blind = 0) or (p.n_evidence = 0 and p.n_recent = 1 and p.n_blind = 0) then null
            when e.path in ('irsa', 'pod-identity') and e.sa_name is not null and p.n_consistent = 1 and p.n_consistent_pods = 1 and b.inventory_brackets then null
            when p.n_evidence > 1 then p.n_evidence || ' candidates connected to ' || e.event_source || ' in the window'
            when p.n_blind > 0 then
                'no runtime sensor evidence from ' || array_to_string(p.blind_nodes, ', ') || ' around the call; '
                || case when p.n_consistent = 1 then '1 candidate remains' else p.n_consistent || ' candidates remain' end
            when p.n_evidence = 1 then 'one candidate connected, but others could not be observed'
            else pt_count(p.n_consistent, 'candidate', 'candidates') || ', and no runtime connect to ' || e.event_source || ' singles one out'
        end as reason,
        p.n_consistent,
        p.all_connects
    from events as e
    inner join per_event as p on p.event_id = e.event_id
    inner join bracketed as b on b.event_id = e.event_id
),

final as (
    select * from decided
)

select * from final
