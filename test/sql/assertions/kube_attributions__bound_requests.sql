-- invariant: kube_attributions has one row per audited Kubernetes API request made with a
-- pod-bound token: per audit id among final-stage kube_audit_events rows carrying
-- user_extra_pod_uid, and no other rows; each row cites that final-stage row and the same pod UID;
-- its confidence follows off_pod (true -> off-pod, false -> proven, NULL -> strong). Failing rows: the audit id and what is wrong.
with

bound_requests as (
    select audit_id, row_id, user_extra_pod_uid
    from kube_audit_events
    where is_final_stage and user_extra_pod_uid is not null
),

attributed as (
    select audit_id, row_id, pod_uid, off_pod, confidence from kube_attributions
),

missing as (
    select b.audit_id, 'bound request ' || b.row_id || ' without a kube_attributions row' as problem
    from bound_requests as b
    where not exists (select 1 from attributed as a where a.audit_id = b.audit_id)
),

extra as (
    select a.audit_id, 'row ' || coalesce(a.row_id, 'NULL') || ' is not a final-stage request with a bound pod token' as problem
    from attributed as a
    where not exists (
        select 1 from bound_requests as b
        where b.audit_id = a.audit_id and b.row_id = a.row_id and b.user_extra_pod_uid = a.pod_uid
    )
),

repeated as (
    select audit_id, count(*) || ' rows for one request' as problem
    from attributed
    group by audit_id
    having count(*) > 1
),

confidence as (
    select audit_id, 'off_pod ' || coalesce(off_pod::VARCHAR, 'NULL') || ' but confidence ' || coalesce(confidence, 'NULL') as problem
    from attributed
    where confidence is distinct from case when off_pod then 'off-pod' when not off_pod then 'proven' else 'strong' end
),

final as (
    select * from missing
    union all
    select * from extra
    union all
    select * from repeated
    union all
    select * from confidence
)

select * from final
order by audit_id, problem
