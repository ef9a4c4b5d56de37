-- Check: cloud credentials used outside the cluster (the correlation table credential_misuse), one
-- finding per credential: the key, the pod, service account or node it belongs to and why, the
-- outside addresses, the calls, and whether the pod was already gone (the credential replayed
-- after it). A pod's or a service account's credential used from outside is a gap (a credential
-- the cluster lost; kind credential-used-outside); none: the check is ok with no finding.
create or replace view chk_credential_misuse as

with

misuse as (
    select * from credential_misuse
),

per_key as (
    select
        coalesce(access_key_id, credential) as key_id,
        arg_min(credential, (ts, event_id)) as credential,
        arg_min(owned_by, (ts, event_id)) as owned_by,
        arg_min(pod_uid, (ts, event_id)) as pod_uid,
        arg_min(owner_pod_name, (ts, event_id)) as pod_name,
        arg_min(owner_namespace, (ts, event_id)) as namespace,
        arg_min(owner_service_account, (ts, event_id)) as service_account,
        arg_min(owner_node_name, (ts, event_id)) as node_name,
        bool_or(pod_gone) as pod_gone,
        max(pod_ended_at) as pod_ended_at,
        list_sort(list_distinct(list(source_ip))) as addresses,
        list(event_id order by ts, event_id) as event_ids,
        list_sort(list_distinct(list(split_part(event_source, '.', 1) || ':' || event_name))) as calls,
        count(*) as n,
        min(ts) as first_at,
        max(ts) as last_at
    from misuse
    group by coalesce(access_key_id, credential)
),

final as (
    select
        'credential-misuse' as check_id,
        'credential-used-outside' as kind,
        'credential-misuse:' || k.key_id as finding_id,
        'gap' as status,
        'cloudtrail' as source,
        k.node_name,
        null::VARCHAR as region,
        k.first_at as interval_from,
        k.last_at as interval_to,
        pt_seconds_between(k.first_at, k.last_at) as seconds,
        k.n::DOUBLE as value,
        to_json({'access_key_id': k.key_id, 'credential': k.credential, 'owned_by': k.owned_by, 'pod_uid': k.pod_uid,
            'namespace': k.namespace, 'pod_name': k.pod_name, 'service_account': k.service_account, 'node_name': k.node_name,
            'pod_gone': k.pod_gone, 'pod_ended_at': k.pod_ended_at, 'addresses': k.addresses, 'calls': k.calls,
            'event_ids': k.event_ids[1:50]}) as detail,
        k.credential || ' of '
            || case
                when k.pod_uid is not null then 'pod ' || coalesce(k.namespace || '/' || k.pod_name, k.pod_uid) || ' (' || k.owned_by || ')'
                when k.owned_by = 'service-account' then 'service account ' || coalesce(k.namespace, '?') || ':' || coalesce(k.service_account, '?')
                else 'node ' || coalesce(k.node_name, '?')
            end
            || ' used from outside the cluster (' || array_to_string(k.addresses, ', ') || '): '
            || pt_count(k.n, 'call', 'calls')
            || case when k.pod_gone then ', after the pod was gone' else '' end as message
    from per_key as k
)

select * from final
