-- pod_lifecycle, in its documented column order and a total order.
create or replace view mart_pod_lifecycle as

with

lifecycle as (
    select * from int_pod__lifecycle
),

final as (
    select
        pod_uid, interval_no, namespace, name, node_name, service_account, pod_ips, host_network,
        container_ids, image_digests, owner_kind, owner_name, valid_from, valid_to,
        from_evidence, to_evidence, from_row_id, to_row_id
    from lifecycle
)

select * from final
order by pod_uid, interval_no
