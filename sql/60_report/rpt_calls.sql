-- Every attributed cloud call with what the report needs to judge it: the call as text
-- ("iam:CreateAccessKey"), its target (secret, bucket, user, role, key or parameter), its category
-- and tier by the first rule of rpt_call_rules it matches (lowest tier first), whether it was denied,
-- and whether it came from outside the cluster (a public address that is no declared egress).
-- Calls AWS made on a caller's behalf (KMS Decrypt by Secrets Manager) take no category: the
-- triggering call carries it.
create or replace view rpt_calls as

with

attributions_ as (
    select * from attributions
),

events as (
    select event_id, error_code, read_only, invoked_by, request_parameters, issued_access_key_id
    from cloud_events
),

rules as (
    select * from rpt_call_rules
),

egress as (
    select distinct public_lo, public_hi, public_cidr from case_egress
),

joined as (
    select
        a.*,
        e.error_code,
        coalesce(e.read_only, true) as read_only,
        e.issued_access_key_id,
        e.invoked_by is not null and a.path = 'aws-service' as on_behalf,
        split_part(a.event_source, '.', 1) || ':' || a.event_name as call,
        nullif(coalesce(
            e.request_parameters ->> '$.secretId',
            e.request_parameters ->> '$.bucketName',
            e.request_parameters ->> '$.userName',
            e.request_parameters ->> '$.roleName',
            e.request_parameters ->> '$.roleArn',
            e.request_parameters ->> '$.policyArn',
            e.request_parameters ->> '$.groupId',
            e.request_parameters ->> '$.keyId',
            e.request_parameters ->> '$.name',
            e.request_parameters ->> '$.path',
            array_to_string(try_cast(e.request_parameters -> '$.names' as VARCHAR[]), ','),
            e.request_parameters ->> '$.encryptionContext.SecretARN'
        ), '') as target,
        regexp_matches(coalesce(e.error_code, ''), '(?i)denied|unauthori[sz]ed|forbidden') as denied
    from attributions_ as a
    left join events as e on e.event_id = a.event_id
),

classified as (
    select
        j.event_id,
        arg_min(r.tier, r.precedence) as tier,
        arg_min(r.category, r.precedence) as category
    from joined as j
    inner join rules as r
        on r.event_source = j.event_source
        and regexp_full_match(j.event_name, r.name_pattern)
        and (not r.writes_only or not j.read_only)
    where not j.on_behalf
    group by j.event_id
),

outside as (
    select
        j.event_id,
        pt_is_ip(j.source_ip)
            and not pt_is_private_ip(j.source_ip)
            and not exists (
                select 1 from egress as g
                where g.public_cidr = j.source_ip
                    or (g.public_lo is not null and pt_ip_int(j.source_ip) between g.public_lo and g.public_hi)
            ) as from_outside
    from joined as j
),

final as (
    select
        -- ids
        j.event_id,
        -- dimensions
        j.call,
        j.target,
        j.event_source,
        j.event_name,
        c.category,
        c.tier,
        j.denied,
        j.error_code,
        j.read_only,
        j.on_behalf,
        o.from_outside,
        j.confidence,
        j.path,
        j.rule_id,
        j.rule_version,
        j.pod_uid,
        j.pod_namespace,
        j.pod_name,
        j.node_name,
        j.service_account,
        j.principal_arn,
        j.access_key_id,
        j.issued_access_key_id,
        j.session_name,
        j.source_ip,
        j.candidates,
        j.candidate_count,
        coalesce(list_transform(from_json(j.candidates, '[{"pod_uid": "VARCHAR"}]'), x -> x.pod_uid), []::VARCHAR[]) as candidate_uids,
        j.evidence,
        j.reason,
        j.clock_offset_seconds,
        -- timestamps (UTC)
        j.ts
    from joined as j
    left join classified as c on c.event_id = j.event_id
    inner join outside as o on o.event_id = j.event_id
)

select * from final
