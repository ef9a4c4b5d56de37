-- Check 6, rejects: per evidence file and reason, how many records were rejected and where the
-- first ones are; files refused as a whole. A file is named by its evidence id and file name, never
-- by its origin path (a local path of the machine that acquired it; manifest.json keeps it).
create or replace view chk_rejects as

with

range as (
    select * from chk__range
),

rejects as (
    select r.*, regexp_extract(e.origin, '[^/]+$') as file_name
    from ingest_rejects as r
    inner join evidence_files as e on e.evidence_file_id = r.evidence_file_id
),

grouped as (
    select
        evidence_file_id,
        file_name,
        reason,
        count(*) as records,
        -- a record that is its whole line or document has an empty record path: no location to name
        coalesce(
            list(coalesce('line ' || line, 'byte ' || byte_offset, nullif(record_path, '')) order by reject_id)
                filter (where coalesce('line ' || line, 'byte ' || byte_offset, nullif(record_path, '')) is not null),
            []
        )[1:5] as first_locations
    from rejects
    group by evidence_file_id, file_name, reason
),

reject_findings as (
    select
        'rejects' as check_id,
        'rejected-records' as kind,
        'rejects:' || evidence_file_id || ':' || reason as finding_id,
        'gap' as status,
        null::VARCHAR as source,
        null::VARCHAR as node_name,
        null::VARCHAR as region,
        r.range_from as interval_from,
        r.range_to as interval_to,
        0.0 as seconds,
        records::DOUBLE as value,
        to_json({'evidence_file_id': evidence_file_id, 'file_name': file_name, 'reason': reason, 'records': records, 'first_locations': first_locations}) as detail,
        records || ' record' || case when records = 1 then '' else 's' end || ' of ' || file_name || ' (evidence ' || evidence_file_id || ') rejected (' || reason || ')'
            || case when len(first_locations) > 0 then ' at ' || array_to_string(first_locations, ', ') else '' end as message
    from grouped
    cross join range as r
),

refused as (
    select
        'rejects', 'refused-file', 'rejects:refused:' || evidence_file_id, 'gap', null, null, null,
        r.range_from, r.range_to, 0.0, 0.0,
        to_json({'evidence_file_id': evidence_file_id, 'file_name': regexp_extract(origin, '[^/]+$'), 'reason': refusal_reason}),
        regexp_extract(origin, '[^/]+$') || ' (evidence ' || evidence_file_id || ') was refused: ' || refusal_reason
    from evidence_files
    cross join range as r
    where status = 'refused'
),

none as (
    select
        'rejects', 'no-rejects', 'rejects:none', 'ok', null, null, null, r.range_from, r.range_to, 0.0, 0.0, '{}'::JSON,
        'every record of every file landed or was counted (duplicates, out of window)'
    from range as r
    where not exists (select 1 from grouped) and not exists (select 1 from evidence_files where status = 'refused')
),

final as (
    select * from reject_findings
    union all select * from refused
    union all select * from none
)

select * from final
