-- int_attr__account_pods: for each IRSA or Pod Identity call whose service account is known, the
-- pods of that account that existed at the call (within its tolerance), eliminated or not (n, and
-- the one when n = 1), and the pods of its namespace then whose service account no evidence shows
-- (known from runtime or audit only: one of them may be a pod of the account).
create or replace view int_attr__account_pods as

with

events as (
    select * from int_attr__events
),

lifecycle as (
    select * from pod_lifecycle
),

final as (
    select
        e.event_id,
        count(distinct a.pod_uid) filter (where a.service_account = e.sa_name) as n,
        min(a.pod_uid) filter (where a.service_account = e.sa_name) as pod_uid,
        count(distinct a.pod_uid) filter (where a.service_account is null) as n_unknown
    from events as e
    inner join lifecycle as a
        on a.namespace = e.sa_namespace and (a.service_account = e.sa_name or a.service_account is null)
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    where e.path in ('irsa', 'pod-identity') and e.sa_name is not null
    group by e.event_id
)

select * from final
