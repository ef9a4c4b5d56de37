-- int_attr__candidate_docs: each kept candidate of each call (its scored row, not ruled out) as
-- attributions lists it: the pod, its connects that bear on the call (its own, relayed, kept-alive,
-- to AWS's ranges) and kept_by, why it is kept (its origins, how its address fits the source, and
-- the evidence it brings or lacks).
create or replace view int_attr__candidate_docs as

with

scored as (
    select * from int_attr__scored where ip_relation <> 'none'
),

final as (
    select
        c.event_id,
        c.pod_uid,
        c.namespace,
        c.name,
        c.node_name,
        c.service_account,
        list_concat(c.connect_row_ids, c.recent_row_ids, c.chain_row_ids, c.chain_recent_row_ids, c.range_row_ids) as connect_row_ids,
        list_sort(list_concat(
            c.origins,
            ['source:' || c.ip_relation],
            case when c.has_direct then ['runtime-connect'] else []::VARCHAR[] end,
            case when c.has_direct_recent then ['recent-connect'] else []::VARCHAR[] end,
            case when c.chain_positive or c.chain_recent_positive then ['relay-connect'] else []::VARCHAR[] end,
            case when c.has_range then ['aws-range-connect'] else []::VARCHAR[] end,
            case when c.is_relay then ['known-relay'] else []::VARCHAR[] end,
            case when not c.observable then ['sensor-blind'] else []::VARCHAR[] end
        )) as kept_by
    from scored as c
)

select * from final
