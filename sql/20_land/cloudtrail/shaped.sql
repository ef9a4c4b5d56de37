-- Each value with its shape: records, lookup, eventbridge, event, array, not_an_object or unknown.
select
    _efid,
    _ordinal,
    _line,
    _doc,
    last_ordinal,
    member_types[1] as records_type,
    member_types[2] as events_type,
    case
        when doc_type = 'ARRAY' and json_array_length(_doc) > 0 then 'array'
        when doc_type is distinct from 'OBJECT' then 'not_an_object'
        when member_types[1] is not null then 'records'
        when member_types[2] is not null then 'lookup'
        when member_types[3] is not null then 'eventbridge'
        when len(list_filter(member_types[4:7], t -> t is not null)) > 0 then 'event'
        else 'unknown'
    end as shape
from source_values
