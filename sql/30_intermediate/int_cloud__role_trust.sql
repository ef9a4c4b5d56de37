-- Role trust from the collected IAM roles (aws_iam_roles, the latest snapshot of each role): who
-- may assume each role, one row per Allow statement and principal.
--   principal_kind: oidc (a Federated OIDC provider: IRSA) | service (an AWS service principal,
--                   pods.eks.amazonaws.com for Pod Identity) | aws (an account or role) | other
--   subjects: for oidc, the service-account subjects the statement's StringEquals or StringLike
--             ":sub" condition allows (IAM wildcards * and ? kept); NULL when no subject is named
--             (any service account of the cluster may assume it)
create or replace view int_cloud__role_trust as

with

roles as (
    select *
    from aws_iam_roles
    qualify snapshot_at = max(snapshot_at) over (partition by role_arn)
),

statements as (
    select
        role_arn,
        row_id,
        snapshot_at,
        unnest(case json_type(trust_policy, '$.Statement') when 'ARRAY' then json_extract(trust_policy, '$.Statement[*]') else [trust_policy -> 'Statement'] end) as st
    from roles
),

principals as (
    select role_arn, row_id, snapshot_at, st, 'oidc' as kind, unnest(case json_type(st, '$.Principal.Federated') when 'ARRAY' then json_extract_string(st, '$.Principal.Federated[*]') when 'VARCHAR' then [st ->> '$.Principal.Federated'] else [] end) as principal
    from statements
    where (st ->> 'Effect') = 'Allow'
    union all
    select role_arn, row_id, snapshot_at, st, 'service', unnest(case json_type(st, '$.Principal.Service') when 'ARRAY' then json_extract_string(st, '$.Principal.Service[*]') when 'VARCHAR' then [st ->> '$.Principal.Service'] else [] end)
    from statements
    where (st ->> 'Effect') = 'Allow'
    union all
    select role_arn, row_id, snapshot_at, st, 'aws', unnest(case json_type(st, '$.Principal.AWS') when 'ARRAY' then json_extract_string(st, '$.Principal.AWS[*]') when 'VARCHAR' then [st ->> '$.Principal.AWS'] else [] end)
    from statements
    where (st ->> 'Effect') = 'Allow'
),

condition_keys as (
    select p.role_arn, p.principal, p.st, o.op, unnest(coalesce(json_keys(p.st -> 'Condition' -> o.op), [])) as k
    from principals as p
    cross join (values ('StringEquals'), ('StringLike')) as o(op)
),

condition_subjects as (
    select
        role_arn,
        principal,
        st,
        flatten(list(
            case json_type(json_extract(st -> 'Condition' -> op, '$."' || k || '"'))
                when 'ARRAY' then from_json(json_extract(st -> 'Condition' -> op, '$."' || k || '"'), '["VARCHAR"]')
                else [json_extract_string(st -> 'Condition' -> op, '$."' || k || '"')]
            end
        )) as subject_list
    from condition_keys
    where k like '%:sub'
    group by role_arn, principal, st
),

conditions as (
    select p.*, s.subject_list
    from principals as p
    left join condition_subjects as s on s.role_arn = p.role_arn and s.principal = p.principal and s.st = p.st
),

final as (
    select
        role_arn,
        case when kind = 'oidc' and principal not like '%:oidc-provider/%' then 'other' else kind end as principal_kind,
        principal,
        case when len(subject_list) > 0 then list_sort(list_distinct(subject_list)) end as subjects,
        row_id,
        snapshot_at
    from conditions
)

select * from final
