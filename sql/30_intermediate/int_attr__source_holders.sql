-- int_attr__source_holders: for each call from a private source address that no node's address
-- or interface explains (int_attr__node_ips, int_attr__source_owners), the pods the evidence knows
-- held that address at the call (n_holders), and those of them that may be a pod of the call's
-- service account (theirs is unknown) and are no candidate (open holders, listed by reference).
create or replace view int_attr__source_holders as

with

events as (
    select * from int_attr__events
),

scored as (
    select * from int_attr__scored
),

lifecycle as (
    select * from pod_lifecycle
),

address_holders as (
    -- pods the evidence knows held the call's private source address at the call, with whether
    -- they may be a pod of the call's service account (theirs is unknown) and are no candidate
    select
        e.event_id,
        a.pod_uid,
        coalesce(a.namespace, '?') || '/' || coalesce(a.name, a.pod_uid) as pod_ref,
        a.service_account is null
            and (e.sa_namespace is null or a.namespace is null or a.namespace = e.sa_namespace)
            and not exists (select 1 from scored as s where s.event_id = e.event_id and s.pod_uid = a.pod_uid) as open_holder
    from events as e
    inner join (select pod_uid, interval_no, unnest(pod_ips) as ip from lifecycle) as i on i.ip = e.source_ip
    inner join lifecycle as a on a.pod_uid = i.pod_uid and a.interval_no = i.interval_no
    where e.source_is_private and not e.aws_invoked
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
),

final as (
    select
        e.event_id,
        count(h.pod_uid) as n_holders,
        count(h.pod_uid) filter (where h.open_holder) as n_open_holders,
        list_sort(list_distinct(list(h.pod_ref) filter (where h.open_holder))) as open_holders
    from events as e
    left join address_holders as h on h.event_id = e.event_id
    where e.source_is_private and not e.aws_invoked and e.source_ip is not null
        and not exists (select 1 from int_attr__node_ips as n where n.node_ip = e.source_ip)
        and not exists (select 1 from int_attr__source_owners as o where o.event_id = e.event_id)
    group by e.event_id
)

select * from final
