-- Signals from the runtime sensors, on the reference clock (node clock offsets applied): a process
-- of a pod reading cloud credentials from the instance metadata service or the Pod Identity agent
-- (its command line names the credentials path), and connects of a pod to an outside address that
-- is no declared endpoint, no egress and no metadata service. Pods come from rpt_pod_runtime (by
-- container id when the sensor has no pod.uid).
create or replace view rpt_signals__runtime as

with

runtime as (
    select * from rpt_pod_runtime
),

endpoints as (
    select lo, hi, cidr from case_endpoints
),

egress as (
    select distinct public_lo, public_hi, public_cidr from case_egress
),

candidates as (
    select
        row_id,
        kind,
        "binary",
        arguments,
        dst_ip,
        dst_port,
        pod_uid,
        ts::TIMESTAMP as ts,
        regexp_matches(coalesce(arguments, ''), '/meta-data/iam/security-credentials|169\.254\.170\.2[0-9]*/|AWS_CONTAINER_CREDENTIALS') as reads_credentials
    from runtime
    where regexp_matches(coalesce(arguments, ''), '/meta-data/iam/security-credentials|169\.254\.170\.2[0-9]*/|AWS_CONTAINER_CREDENTIALS')
        or (kind = 'connect' and pt_is_ip(dst_ip) and not pt_is_private_ip(dst_ip) and not pt_is_imds(dst_ip)
            and not starts_with(dst_ip, '169.254.') and not starts_with(dst_ip, '127.'))
),

credential_reads as (
    select
        'pod' as actor_kind,
        pod_uid as actor_id,
        ts,
        'credentials-read' as signal,
        1 as tier,
        "binary" || coalesce(' ' || arguments, '') as detail,
        'credentials-read ' || "binary" as signature,
        'runtime' as ref_source,
        row_id as ref,
        'proven' as confidence,
        false as as_candidate,
        null::VARCHAR as related
    from candidates
    where reads_credentials and kind = 'exec' and pod_uid is not null
),

outside_connects as (
    select
        'pod' as actor_kind,
        pod_uid as actor_id,
        ts,
        'external-connect' as signal,
        7 as tier,
        "binary" || ' -> ' || dst_ip || ':' || coalesce(dst_port::VARCHAR, '?') as detail,
        'external-connect ' || "binary" || ' ' || dst_ip || ':' || coalesce(dst_port::VARCHAR, '?') as signature,
        'runtime' as ref_source,
        row_id as ref,
        'proven' as confidence,
        false as as_candidate,
        dst_ip as related
    from candidates as c
    where kind = 'connect' and pod_uid is not null and not reads_credentials
        and not exists (select 1 from endpoints as e where e.cidr = c.dst_ip or (e.lo is not null and pt_ip_int(c.dst_ip) between e.lo and e.hi))
        and not exists (select 1 from egress as g where g.public_cidr = c.dst_ip or (g.public_lo is not null and pt_ip_int(c.dst_ip) between g.public_lo and g.public_hi))
),

final as (
    select * from credential_reads
    union all
    select * from outside_connects
)

select * from final
