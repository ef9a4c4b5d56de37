-- Every signal of every actor, in one union: cloud calls (rpt_signals__cloud), access to pods and
-- their tokens (rpt_signals__access), runtime evidence (rpt_signals__runtime). An actor is a pod
-- (its UID), a node's host processes (the node name) or an address outside the cluster.
-- routine: a signal of tier 4 to 7 (data, denied, recon, outside connects) that the actor's
-- workload shows as a habit: the same signal on the same target by two or more of its pods (same
-- namespace and service account; for nodes, any node), or three or more times over at least 30
-- minutes. Credential, privilege and entry signals (tiers 1 to 3) are never routine.
create or replace view rpt_signals as

with

unioned as (
    select * from rpt_signals__cloud
    union all select * from rpt_signals__access
    union all select * from rpt_signals__runtime
),

workloads as (
    select pod_uid, arg_min(namespace || '/' || service_account, interval_no) as workload
    from pod_lifecycle
    group by pod_uid
),

keyed as (
    select
        u.*,
        case u.actor_kind
            when 'pod' then coalesce(w.workload, 'pod ' || u.actor_id)
            when 'node' then 'host'
            else 'outside ' || u.actor_id
        end as workload
    from unioned as u
    left join workloads as w on u.actor_kind = 'pod' and w.pod_uid = u.actor_id
),

habits as (
    select
        workload,
        signature,
        count(distinct actor_id) as actors,
        count(*) as times,
        pt_seconds_between(min(ts), max(ts)) as spread_seconds
    from keyed
    where tier >= 4 and actor_kind in ('pod', 'node')
    group by workload, signature
),

final as (
    select
        -- ids
        k.actor_kind,
        k.actor_id,
        k.ref_source,
        k.ref,
        -- dimensions
        k.signal,
        k.tier::INTEGER as tier,
        k.detail,
        k.signature,
        k.confidence,
        k.as_candidate,
        k.related,
        k.workload,
        coalesce(h.actors >= 2 or (h.times >= 3 and h.spread_seconds >= 1800), false) as routine,
        -- timestamps (UTC)
        k.ts::TIMESTAMP as ts
    from keyed as k
    left join habits as h on h.workload = k.workload and h.signature = k.signature and k.tier >= 4
)

select * from final
