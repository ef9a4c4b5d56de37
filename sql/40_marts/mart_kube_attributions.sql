-- kube_attributions: one row per audited request made with a pod-bound service-account token
-- (user.extra carries the pod UID), with the kubelet's issuance of that token (same JTI) and
-- whether the request came from an address the pod had.
--   proven   bound to the pod, and sourceIPs[1] is one of its IPs at that time (or its node's IP
--            for a hostNetwork pod)
--   strong   bound to the pod; its IPs are not known at that time
--   off-pod  bound to the pod, used from an address the pod did not have: a token taken out of it
create or replace view mart_kube_attributions as

with

requests as (
    select *
    from kube_audit_events
    where is_final_stage and user_extra_pod_uid is not null
    -- is_final_stage holds per file: a request whose stages were split by a log rotation has a
    -- final stage in each file; keep one row per request (highest stage, then latest)
    qualify row_number() over (partition by audit_id order by pt_ka_stage_rank(stage) desc, stage_at desc, row_id desc) = 1
),

issuances as (
    select issued_credential_id, arg_min(row_id, stage_at) as row_id, min(request_received_at) as issued_at
    from kube_audit_events
    where issued_credential_id is not null
    group by issued_credential_id
),

lifecycle as (
    select * from pod_lifecycle
),

node_ips as (
    select name as node_name, arg_max(internal_ips, snapshot_at) as node_ips from k8s_nodes group by name
),

pod_at as (
    select
        r.audit_id,
        l.node_name,
        l.pod_ips,
        l.host_network,
        row_number() over (partition by r.audit_id order by l.interval_no desc) as rn
    from requests as r
    inner join lifecycle as l
        on l.pod_uid = r.user_extra_pod_uid
        and l.valid_from <= r.request_received_at + interval 5 seconds
        and (l.valid_to is null or l.valid_to >= r.request_received_at - interval 5 seconds)
),

final as (
    select
        r.audit_id,
        r.row_id,
        r.request_received_at as ts,
        r.verb,
        r.resource,
        r.subresource,
        r.namespace,
        r.name,
        r.user_name,
        r.credential_id,
        r.user_extra_pod_uid as pod_uid,
        r.user_extra_pod_name as pod_name,
        coalesce(r.user_extra_node_name, p.node_name) as node_name,
        i.row_id as token_issued_row_id,
        i.issued_at as token_issued_at,
        r.source_ips[1] as source_ip,
        p.pod_ips,
        case
            when p.pod_ips is null or len(p.pod_ips) = 0 or r.source_ips[1] is null then null
            when list_contains(p.pod_ips, r.source_ips[1]) then false
            when p.host_network and list_contains(coalesce(n.node_ips, []::VARCHAR[]), r.source_ips[1]) then false
            else true
        end as off_pod,
        case
            when p.pod_ips is null or len(p.pod_ips) = 0 or r.source_ips[1] is null then 'strong'
            when list_contains(p.pod_ips, r.source_ips[1]) then 'proven'
            when p.host_network and list_contains(coalesce(n.node_ips, []::VARCHAR[]), r.source_ips[1]) then 'proven'
            else 'off-pod'
        end as confidence,
        case
            when p.pod_ips is null or len(p.pod_ips) = 0 or r.source_ips[1] is null then 'bound-token'
            when list_contains(p.pod_ips, r.source_ips[1]) then 'bound-token-pod-ip'
            when p.host_network and list_contains(coalesce(n.node_ips, []::VARCHAR[]), r.source_ips[1]) then 'bound-token-node-ip'
            else 'bound-token-off-pod'
        end as rule_id
    from requests as r
    left join issuances as i on i.issued_credential_id = r.credential_id
    left join pod_at as p on p.audit_id = r.audit_id and p.rn = 1
    left join node_ips as n on n.node_name = coalesce(r.user_extra_node_name, p.node_name)
)

select * from final
order by audit_id
