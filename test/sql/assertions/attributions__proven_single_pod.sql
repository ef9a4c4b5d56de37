-- invariant: a proven attribution is a deterministic key chain ending at one pod UID: it names its
-- pod_uid and lists exactly one candidate. Failing rows: proven rows without a pod_uid, or with a candidate count other than one
-- (candidate_count and the candidates array both count).
with

proven as (
    select event_id, rule_id, pod_uid, candidate_count, json_array_length(candidates) as listed
    from attributions
    where confidence = 'proven'
),

final as (
    select
        event_id,
        rule_id,
        case
            when pod_uid is null then 'proven without a pod_uid'
            else 'proven with ' || candidate_count || ' candidates (' || listed || ' listed)'
        end as problem
    from proven
    where pod_uid is null or candidate_count <> 1 or listed <> 1
)

select * from final
order by event_id
