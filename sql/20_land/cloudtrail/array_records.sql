-- A JSON array as one value (a one-line array of events): each element is a record of its own.
select
    -- ids (elements)
    * exclude (shape, el),
    'single-event' as delivery,
    el as rec,
    case
        when json_type(el) is distinct from 'OBJECT' then 'reject.not_an_object'
        when not pt_cloudtrail_is_event(el) then 'reject.unknown_shape'
    end as shape_reject
from elements
where shape = 'array'
