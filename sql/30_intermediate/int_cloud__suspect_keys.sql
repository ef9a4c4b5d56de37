-- Node-role session keys whose use is itself suspect, so nothing is learned from them: a key used
-- from two public addresses or more (one instance leaves through one exit; a second address is a
-- copy of the key used elsewhere).
create or replace view int_cloud__suspect_keys as

with

calls as (
    select c.access_key_id, c.source_ip
    from int_cloud__calls as c
    inner join credential_sessions as s on s.access_key_id = c.access_key_id
    where s.subject_type = 'instance' and c.source_is_ip and not c.source_is_private and not c.aws_invoked
),

final as (
    select access_key_id, 'used from ' || count(distinct source_ip) || ' public addresses' as why
    from calls
    group by access_key_id
    having count(distinct source_ip) > 1
)

select * from final
