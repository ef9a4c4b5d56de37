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

outcomes as (
    select * from int_attr__outcomes
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
    from outcomes
)

select * from final
