-- A JSON array as one value (a one-line array of events): each element is a record of its own.

with

array_elements as (
    select
        _efid,
        _ordinal,
        _line,
        unnest(elements) as rec,
        generate_subscripts(elements, 1) as idx
    from (select _efid, _ordinal, _line, json_extract(_doc, '$[*]') as elements from shaped where shape = 'array')
),

final as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        '/' || (idx - 1) as record_path,
        'single-event' as delivery,
        rec,
        null::JSON as lookup_element,
        case
            when json_type(rec) is distinct from 'OBJECT' then 'reject.not_an_object'
            when not pt_cloudtrail_is_event(rec) then 'reject.unknown_shape'
        end as shape_reject
    from array_elements
)

select * from final
