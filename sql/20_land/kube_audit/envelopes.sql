-- Each value of `src` with the envelope that holds its records: logEvents, events, records, array,
-- or NULL when the value is the record.

with

source_values as (
    select
        _efid,
        _ordinal,
        _line,
        _path,
        _doc
    from src
),

-- envelopes: which list inside the value holds the records (NULL when the value is the record)
final as (
    select
        *,
        case
            when json_type(_doc) = 'ARRAY' then 'array'
            when json_type(_doc) <> 'OBJECT' then null
            when (env[1] ->> '$') = 'CONTROL_MESSAGE' then null
            when json_type(env[2]) = 'ARRAY' then 'logEvents'
            when json_type(env[3]) = 'ARRAY' then 'events'
            when json_type(env[4]) = 'ARRAY' then 'records'
        end as envelope_key
    from (
        select
            *,
            json_extract(_doc, ['$.messageType', '$.logEvents', '$.events', '$.records']) as env
        from source_values
    )
)

select * from final
