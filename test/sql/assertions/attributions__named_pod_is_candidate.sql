-- invariant: a proven or strong attribution names one pod (pod_uid) and that pod is among its
-- listed candidates, so the evidence that kept it is cited; and the
-- decision fields agree: only proven/strong rows name a pod, and candidate_count is the length of
-- the candidates array. Failing rows: one per broken row and reason.
with

attributions_ as (
    select
        event_id,
        confidence,
        rule_id,
        pod_uid,
        candidate_count,
        json_array_length(candidates) as listed,
        from_json(candidates, '[{"pod_uid":"VARCHAR"}]') as cands
    from attributions
),

problems as (
    select event_id, confidence, rule_id, confidence || ' without a pod_uid' as problem
    from attributions_
    where confidence in ('proven', 'strong') and pod_uid is null
    union all
    select event_id, confidence, rule_id, confidence || ': pod ' || pod_uid || ' is not among its candidates' as problem
    from attributions_
    where confidence in ('proven', 'strong') and pod_uid is not null
        and not list_contains(list_transform(cands, c -> c.pod_uid), pod_uid)
    union all
    select event_id, confidence, rule_id, confidence || ' names pod ' || pod_uid as problem
    from attributions_
    where confidence not in ('proven', 'strong') and pod_uid is not null
    union all
    select event_id, confidence, rule_id, 'candidate_count ' || candidate_count || ' but ' || listed || ' candidates listed' as problem
    from attributions_
    where candidate_count is distinct from listed
    union all
    select event_id, confidence, rule_id, 'unknown confidence' as problem
    from attributions_
    where confidence is null or confidence not in ('proven', 'strong', 'ambiguous', 'unattributed')
),

final as (
    select * from problems
)

select * from final
order by event_id, problem
