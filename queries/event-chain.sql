-- name: event-chain
-- description: The full chain behind one cloud event: the call, its attribution, the credential chain (issuing calls, parent keys), the pod, the runtime and audit evidence used, and people who touched the pod before it.
-- params: $event_id varchar
--
-- One row per link, in chain order (step_no), then time. depth counts credential hops: 0 is the
-- key the call used, 1 the key that issued it, and so on (role chaining, CreateAccessKey).
-- ref_id is the row to cite: an event id, access key id, lake row_id or audit id.

with recursive

call as (
    select * from cloud_events where event_id = $event_id
),

attribution as (
    select * from attributions where event_id = $event_id
),

credential_chain as (
    select s.*, 0 as depth
    from credential_sessions as s
    where s.access_key_id = (select access_key_id from call)
    union all
    select s.*, c.depth + 1 as depth
    from credential_sessions as s
    inner join credential_chain as c on s.access_key_id = c.parent_access_key_id
    where c.depth < 8
),

evidence as (
    select
        unnest(from_json(json_extract(evidence, '$.runtime'), '["VARCHAR"]')) as row_id,
        'runtime' as kind
    from attribution
    union all
    select
        unnest(from_json(json_extract(evidence, '$.audit'), '["VARCHAR"]')) as row_id,
        'audit' as kind
    from attribution
),

pod_interval as (
    select l.*
    from pod_lifecycle as l, attribution as a
    where l.pod_uid = a.pod_uid
    qualify row_number() over (
        order by (l.valid_from <= a.ts and (l.valid_to is null or l.valid_to >= a.ts)) desc, l.interval_no desc
    ) = 1
),

links as (
    select
        1 as step_no,
        'cloud-event' as step,
        0 as depth,
        c.ts::TIMESTAMP_NS as occurred_at,
        'cloud_events' as source_table,
        c.event_id as ref_id,
        null::VARCHAR as pod_uid,
        concat_ws(' ', c.event_source, c.event_name, 'by', c.principal_arn, 'key', c.access_key_id,
            'from', c.source_ip, case when c.error_code is not null then 'error ' || c.error_code end) as summary
    from call as c

    union all
    select
        2,
        'attribution',
        0,
        a.ts::TIMESTAMP_NS,
        'attributions',
        a.event_id,
        a.pod_uid,
        concat_ws(' ', a.confidence, 'via', a.path, 'rule', a.rule_id || ' v' || a.rule_version,
            case when a.pod_uid is not null then 'pod ' || a.pod_namespace || '/' || a.pod_name || ' on ' || a.node_name end,
            case when a.pod_uid is null then a.candidate_count || ' candidates' end,
            case when a.reason is not null then '(' || a.reason || ')' end)
    from attribution as a

    union all
    select
        3,
        'credential',
        k.depth,
        coalesce(k.issued_at, k.first_used_at)::TIMESTAMP_NS,
        'credential_sessions',
        k.access_key_id,
        k.subject_pod_uid,
        concat_ws(' ', 'key', k.access_key_id,
            case when k.issuing_event_id is not null then 'issued by ' || k.issuing_event_name || ' ' || k.issuing_event_id else 'issuing call not in evidence' end,
            'to', k.subject_type, k.subject,
            case when k.role_arn is not null then 'role ' || k.role_arn end,
            case when k.parent_access_key_id is not null then 'parent key ' || k.parent_access_key_id end)
    from credential_chain as k

    union all
    select
        4,
        'issuing-call',
        k.depth,
        a.ts::TIMESTAMP_NS,
        'attributions',
        a.event_id,
        a.pod_uid,
        concat_ws(' ', a.event_name, 'issuing key', k.access_key_id, ':', a.confidence, 'via', a.path,
            case when a.pod_uid is not null then 'pod ' || a.pod_namespace || '/' || a.pod_name end,
            'from', a.source_ip)
    from credential_chain as k
    inner join attributions as a on a.event_id = k.issuing_event_id

    union all
    select
        5,
        'pod',
        0,
        p.valid_from::TIMESTAMP_NS,
        'pod_lifecycle',
        p.pod_uid,
        p.pod_uid,
        concat_ws(' ', p.namespace || '/' || p.name, 'on', p.node_name, 'service account', p.service_account,
            'ips', array_to_string(p.pod_ips, ','), 'images', array_to_string(p.image_digests, ','),
            'from', p.valid_from::VARCHAR, 'to', coalesce(p.valid_to::VARCHAR, 'open'))
    from pod_interval as p

    union all
    select
        6,
        'runtime-evidence',
        0,
        r.ts,
        'runtime_events',
        r.row_id,
        r.pod_uid,
        concat_ws(' ', r.kind, r."binary", r.arguments,
            case when r.dst_ip is not null then '-> ' || r.dst_ip || ':' || r.dst_port end, 'on', r.node_name)
    from evidence as e
    inner join runtime_events as r on r.row_id = e.row_id
    where e.kind = 'runtime'

    union all
    select
        7,
        'audit-evidence',
        0,
        k.request_received_at::TIMESTAMP_NS,
        'kube_audit_events',
        k.row_id,
        k.user_extra_pod_uid,
        concat_ws(' ', k.user_name, k.verb, k.resource, k.subresource, k.namespace || '/' || k.name, 'from', array_to_string(k.source_ips, ','))
    from evidence as e
    inner join kube_audit_events as k on k.row_id = e.row_id
    where e.kind = 'audit'

    union all
    select
        8,
        'human-action',
        0,
        h.ts::TIMESTAMP_NS,
        'pod_human_actions',
        h.audit_id,
        h.pod_uid,
        concat_ws(' ', h.user_name, h.action, h.namespace || '/' || h.pod_name, h.command, 'from', h.source_ip)
    from (
        select * from pod_human_actions
        qualify row_number() over (partition by audit_id order by row_id) = 1
    ) as h, attribution as a
    where h.pod_uid = a.pod_uid and h.ts <= a.ts

    union all
    select
        9,
        'pod-token-off-pod',
        0,
        t.ts::TIMESTAMP_NS,
        'kube_attributions',
        t.audit_id,
        t.pod_uid,
        concat_ws(' ', 'token', t.credential_id, 'of the pod used from', t.source_ip, ':', t.verb, t.resource, t.namespace)
    from kube_attributions as t, attribution as a
    where t.pod_uid = a.pod_uid and t.off_pod
),

final as (
    select step_no, step, depth, occurred_at, source_table, ref_id, pod_uid, summary from links
)

select * from final
order by step_no, depth, occurred_at, ref_id
