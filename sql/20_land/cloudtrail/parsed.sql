-- The fields of each record's event, and of its lookup-events element.
-- materialized: each record's event parsed once, read by every column of normalized
select
    *,
    case when shape_reject is null then pt_cloudtrail_fields(rec) end as ev,
    case when shape_reject is null then pt_cloudtrail_lookup_fields(lookup_element) end as lk,
    -- the JSON types of the ids: a number or an object would land as its text
    case when shape_reject is null then json_type(rec, '$.eventID') end as event_id_type,
    case when shape_reject is null then json_type(lookup_element, '$.EventId') end as lookup_id_type
from records
