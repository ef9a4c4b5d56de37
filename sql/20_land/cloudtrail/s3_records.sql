-- S3 log files {"Records": [...]}: one record per Records element (delivery s3-log-file).
-- Elements are unnested in the projection with generate_subscripts: a lateral `from src, unnest(...)`
-- join runs out of memory on a 14 MB log file.

with

s3_lists as (
    select
        _efid,
        _ordinal,
        _line,
        json_extract(_doc, '$.Records[*]') as elements
    from shaped
    where shape = 'records'
        and records_type = 'ARRAY'
),

s3_elements as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        rec,
        -- one parse: the element's own type, then the event keys it has
        json_type(rec, ['$', '$.eventID', '$.eventTime', '$.eventSource', '$.eventName']) as member_types
    from (
        select
            _efid,
            _ordinal,
            _line,
            unnest(elements) as rec,
            generate_subscripts(elements, 1) as idx
        from s3_lists
    )
),

final as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        '/Records/' || (idx - 1) as record_path,
        's3-log-file' as delivery,
        rec,
        null::JSON as lookup_element,
        case
            when member_types[1] is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when len(list_filter(member_types[2:5], t -> t is not null)) = 0 then 'reject.unknown_shape'
        end as shape_reject
    from s3_elements
)

select * from final
