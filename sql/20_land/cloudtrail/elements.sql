-- The elements of every list value: an S3 log file's Records, lookup-events' Events, a one-line
-- JSON array of events. Element i is a record of its own (idx i: row_id <file>-<ordinal>-<i>, see
-- records), record_path <list>/<i-1> (/Records/<i-1>, /Events/<i-1>, /<i-1>).
-- Elements are unnested in the projection with generate_subscripts: a lateral `from src, unnest(...)`
-- join runs out of memory on a 14 MB log file.
-- not materialized: each shape's step reads its own elements (the filter on shape reaches the scan of
-- shaped), so no element is held twice: a batch of log files can hold 256 MiB of them

with

lists as (
    select
        _efid,
        _ordinal,
        _line,
        shape,
        case shape
            when 'records' then '/Records'
            when 'lookup' then '/Events'
            else ''
        end as list_path,
        case shape
            when 'records' then json_extract(_doc, '$.Records[*]')
            when 'lookup' then json_extract(_doc, '$.Events[*]')
            else json_extract(_doc, '$[*]')
        end as elements
    from shaped
    where (shape = 'records' and records_type = 'ARRAY')
        or (shape = 'lookup' and events_type = 'ARRAY')
        or shape = 'array'
),

unnested as (
    select
        _efid,
        _ordinal,
        _line,
        shape,
        list_path,
        unnest(elements) as el,
        generate_subscripts(elements, 1) as idx
    from lists
),

final as (
    select
        -- ids
        _efid,
        _ordinal,
        _line,
        idx,
        list_path || '/' || (idx - 1) as record_path,
        -- the element
        shape,
        el
    from unnested
)

select * from final
