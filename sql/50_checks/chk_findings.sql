-- Every finding of every gaps check, in one shape and a total order (check, kind, finding id).
create or replace view chk_findings as

with

unioned as (
    select * from chk_continuity
    union all select * from chk_coverage
    union all select * from chk_collection_gaps
    union all select * from chk_cloudtrail_files
    union all select * from chk_cloudtrail_integrity
    union all select * from chk_clock
    union all select * from chk_identity_bindings
    union all select * from chk_sensor_coverage
    union all select * from chk_egress
    union all select * from chk_credential_misuse
    union all select * from chk_rejects
    union all select * from chk_runtime_enrichment
    union all select * from chk_sensor_deployment
),

final as (
    select
        check_id,
        kind,
        finding_id,
        status,
        source,
        node_name,
        region,
        interval_from,
        interval_to,
        round(seconds, 3) as seconds,
        round(value, 3) as value,
        detail,
        message
    from unioned
)

select * from final
order by check_id, kind, finding_id
