-- Values that are no record at all, or an envelope whose list is not an array: one reject each.
select
    _efid,
    _ordinal,
    _line,
    case
        when shape = 'records' then '/Records'
        when shape = 'lookup' then '/Events'
        else ''
    end as record_path,
    case
        when shape = 'not_an_object' then 'reject.not_an_object'
        when shape in ('records', 'lookup') then 'reject.invalid_envelope'
        else 'reject.unknown_shape'
    end as shape_reject
from shaped
where shape in ('not_an_object', 'unknown')
    or (shape = 'records' and records_type is distinct from 'ARRAY')
    or (shape = 'lookup' and events_type is distinct from 'ARRAY')
