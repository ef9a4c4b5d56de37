-- int_attr__node_ips: one row per node and internal IP of its latest inventory snapshot.
create or replace view int_attr__node_ips as

with

final as (
    select name as node_name, unnest(internal_ips) as node_ip
    from (select name, arg_max(internal_ips, snapshot_at) as internal_ips from k8s_nodes group by name)
)

select * from final
