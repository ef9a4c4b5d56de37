-- Learned egress: a public address from which the node-role sessions of two or more of the
-- cluster's instances called (session name = instance id) sits in front of those instances' nodes.
-- Never learned from a suspect key (int_cloud__suspect_keys). One row per address and node, with
-- the evidence: the instances, the number of calls, the first calls' event ids.
create or replace view int_net__learned_egress as

with

calls as (
    select c.event_id, c.ts, c.source_ip, c.source_ip_int, c.access_key_id, s.subject_instance_id, s.subject_node_name
    from int_cloud__calls as c
    inner join credential_sessions as s on s.access_key_id = c.access_key_id
    where s.subject_type = 'instance' and s.subject_node_name is not null
        and c.source_is_ip and not c.source_is_private and not c.aws_invoked
        and not exists (select 1 from int_cloud__suspect_keys as k where k.access_key_id = c.access_key_id)
),

addresses as (
    select
        source_ip,
        any_value(source_ip_int) as source_ip_int,
        count(distinct subject_node_name) as nodes,
        list_sort(list_distinct(list(subject_instance_id))) as instances,
        count(*) as calls,
        min(ts) as first_at,
        max(ts) as last_at,
        list_sort(list(event_id))[1:10] as event_ids
    from calls
    group by source_ip
    having count(distinct subject_node_name) >= 2
),

final as (
    select distinct
        a.source_ip,
        a.source_ip_int,
        c.subject_node_name as node_name,
        a.instances,
        a.calls,
        a.first_at,
        a.last_at,
        a.event_ids
    from addresses as a
    inner join calls as c on c.source_ip = a.source_ip
)

select * from final
