-- name: rejects-by-file
-- description: Records that could not be landed, counted per evidence file and reason, with the first location and message; refused files appear with reason refused-file.
-- params: none

with

files as (
    select evidence_file_id, origin, source_type, status, refusal_reason, records_total from evidence_files
),

rejects as (
    select
        evidence_file_id,
        reason,
        count(*) as rejects,
        min(line) as first_line,
        arg_min(reject_id, coalesce(line, byte_offset, 0)) as first_reject_id,
        arg_min(message, coalesce(line, byte_offset, 0)) as first_message,
        arg_min(excerpt, coalesce(line, byte_offset, 0)) as first_excerpt
    from ingest_rejects
    group by evidence_file_id, reason
),

refused as (
    select
        evidence_file_id,
        'refused-file' as reason,
        null::BIGINT as rejects,
        null::BIGINT as first_line,
        null::VARCHAR as first_reject_id,
        refusal_reason as first_message,
        null::VARCHAR as first_excerpt
    from files
    where status = 'refused'
),

final as (
    select
        f.origin,
        r.evidence_file_id,
        f.source_type,
        r.reason,
        r.rejects,
        f.records_total,
        r.first_line,
        r.first_reject_id,
        r.first_message,
        r.first_excerpt
    from (select * from rejects union all select * from refused) as r
    left join files as f on f.evidence_file_id = r.evidence_file_id
)

select * from final
order by origin, evidence_file_id, reason
