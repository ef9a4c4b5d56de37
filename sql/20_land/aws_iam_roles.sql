-- `aws iam get-role` -> aws_iam_roles: one row per role per snapshot, with its trust policy.
-- Reads relation `src` (doc mode). Params: $snapshot_at.
-- Shape: {"Role":{Path, RoleName, RoleId, Arn, CreateDate, AssumeRolePolicyDocument, MaxSessionDuration,
-- Description}}. The trust policy is URL-encoded text in the API's answer (and in the SDK's output),
-- a JSON object in the CLI's (it decodes it): both are read into trust_policy (JSON).
-- Record = the document: row_id <file>-<ordinal>, record_path /Role.
-- Dispositions: no Arn -> reject.unknown_shape; a trust policy that is neither -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, _doc -> 'Role' as e
    from src
    where json_type(_doc, '$.Role') = 'OBJECT'
),

policies as (
    select
        *,
        case json_type(e, '$.AssumeRolePolicyDocument')
            when 'OBJECT' then e -> 'AssumeRolePolicyDocument'
            when 'VARCHAR' then try_cast(url_decode(e ->> 'AssumeRolePolicyDocument') as JSON)
        end as trust_policy
    from docs
),

final as (
    select
        -- ids
        pt_row_id(_efid, _ordinal) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/Role' as record_path,
        -- when it was seen
        pt_ts($snapshot_at) as snapshot_at,
        -- the role
        e ->> 'Arn' as role_arn,
        e ->> 'RoleName' as role_name,
        e ->> 'RoleId' as role_id,
        e ->> 'Path' as path,
        pt_aws_ts(e ->> 'CreateDate') as created_at,
        try_cast(e ->> 'MaxSessionDuration' as INTEGER) as max_session_seconds,
        trust_policy,
        case
            when (e ->> 'Arn') is null or trust_policy is null or json_type(trust_policy) <> 'OBJECT' then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from policies
)

select * from final
