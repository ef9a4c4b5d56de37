-- One row per record: the value itself, or each element of its envelope (none for an empty list).
-- Select-list unnest streams; a lateral unnest ... with ordinality would be decorrelated into a
-- hash join on the whole documents (everything held in memory).

with

element_lists as (
    select
        _efid,
        _ordinal,
        _line,
        _path,
        envelope_key,
        case envelope_key
            when 'array' then json_extract(_doc, '$[*]')
            when 'logEvents' then json_extract(env[2], '$[*]')
            when 'events' then json_extract(env[3], '$[*]')
            when 'records' then json_extract(env[4], '$[*]')
            else [_doc]
        end as elements
    from envelopes
),

final as (
    select
        _efid,
        _ordinal,
        _line,
        case
            when envelope_key is null then _path
            when envelope_key = 'array' then _path || '/' || (idx - 1)::VARCHAR
            else _path || '/' || envelope_key || '/' || (idx - 1)::VARCHAR
        end as record_path,
        case when envelope_key is not null then idx end as element_idx,
        envelope_key,
        rec
    from (
        select
            _efid,
            _ordinal,
            _line,
            _path,
            envelope_key,
            unnest(elements) as rec,
            unnest(range(1, len(elements) + 1)) as idx
        from element_lists
    )
)

select * from final
