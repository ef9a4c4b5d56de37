-- Node-role session keys whose use is itself suspect, so nothing is learned from them: a key used
-- from two public addresses or more (one instance leaves through one exit; a second address is a
-- copy of the key used elsewhere), or a key a pod of its node (not a host-network agent) may hold:
-- the pod reached the metadata service's credentials within the key's validity.
create or replace view int_cloud__suspect_keys as

with

calls as (
    select c.access_key_id, c.source_ip
    from int_cloud__calls as c
    inner join credential_sessions as s on s.access_key_id = c.access_key_id
    where s.subject_type = 'instance' and c.source_is_ip and not c.source_is_private and not c.aws_invoked
),

spread as (
    select access_key_id, 'used from ' || count(distinct source_ip) || ' public addresses' as why
    from calls
    group by access_key_id
    having count(distinct source_ip) > 1
),

node_keys as (
    select s.access_key_id, s.subject_node_name, min(c.ts) as first_at, max(c.ts) as last_at, min(c.session_created_at) as created_at
    from credential_sessions as s
    inner join int_cloud__calls as c on c.access_key_id = s.access_key_id
    where s.subject_type = 'instance' and s.subject_node_name is not null
    group by s.access_key_id, s.subject_node_name
),

read_by_pods as (
    select k.access_key_id, 'a pod of ' || k.subject_node_name || ' reached the metadata service''s credentials while the key was valid' as why
    from node_keys as k
    where exists (
        select 1
        from int_cloud__imds_readers as i
        inner join pod_lifecycle as l on l.pod_uid = i.pod_uid and not l.host_network
        where i.node_name = k.subject_node_name
            and i.ref_ts between coalesce(k.created_at, k.first_at - interval 6 hours) and k.last_at
    )
),

final as (
    select * from spread
    union all
    select * from read_by_pods where access_key_id not in (select access_key_id from spread)
)

select * from final
