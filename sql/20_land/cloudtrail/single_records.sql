-- Bare events: a document or a line (delivery event-lines or single-event).
select
    _efid,
    _ordinal,
    _line,
    null::BIGINT as idx,
    pt_row_id(_efid, _ordinal) as row_id,
    '' as record_path,
    case when _line is not null and last_ordinal > 1 then 'event-lines' else 'single-event' end as delivery,
    _doc as rec,
    null::JSON as lookup_element,
    null::VARCHAR as shape_reject
from shaped
where shape = 'event'
