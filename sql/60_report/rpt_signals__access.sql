-- Signals of access to a pod and of its Kubernetes token: a person entering the pod (exec, attach,
-- port-forward, ephemeral container), under the pod; a request made with the pod's bound token from
-- an address the pod did not have, under the pod and, when that address is outside the cluster,
-- under the address.
create or replace view rpt_signals__access as

with

human as (
    select * from pod_human_actions
    where pod_uid is not null and action in ('exec', 'attach', 'portforward', 'ephemeralcontainers')
),

off_pod as (
    select * from kube_attributions where confidence = 'off-pod' and pod_uid is not null
),

request_text as (
    select
        *,
        verb || ' ' || concat_ws('/', resource, subresource) || coalesce(' ' || nullif(concat_ws('/', namespace, name), ''), '') as request
    from off_pod
),

entries as (
    select
        'pod' as actor_kind,
        pod_uid as actor_id,
        ts,
        'human-entry' as signal,
        3 as tier,
        user_name || ' ' || action || coalesce(' ' || nullif(command, ''), '') || coalesce(' from ' || source_ip, '') as detail,
        'human-entry ' || user_name || ' ' || action as signature,
        'audit' as ref_source,
        row_id as ref,
        'proven' as confidence,
        false as as_candidate,
        user_name as related
    from human
),

tokens as (
    select
        'pod' as actor_kind,
        pod_uid as actor_id,
        ts,
        'pod-token-used-outside' as signal,
        1 as tier,
        request || ' from ' || coalesce(source_ip, 'an unknown address') as detail,
        'pod-token-used-outside ' || request as signature,
        'audit' as ref_source,
        row_id as ref,
        confidence,
        false as as_candidate,
        source_ip as related
    from request_text
    union all
    select
        'outside', source_ip, ts, 'pod-token-used-outside', 1,
        request || ' with the token of pod ' || coalesce(pod_name, pod_uid),
        'pod-token-used-outside ' || request,
        'audit', row_id, confidence, false, pod_uid
    from request_text
    where pt_is_ip(source_ip) and not pt_is_private_ip(source_ip)
),

final as (
    select * from entries
    union all
    select * from tokens
)

select * from final
