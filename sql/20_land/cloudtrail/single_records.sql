-- Bare events: a document or a line (delivery event-lines or single-event).
select
    _efid,
    _ordinal,
    _line,
    '' as record_path,
    case when _line is not null and last_ordinal > 1 then 'event-lines' else 'single-event' end as delivery,
    _doc as rec,
    null::VARCHAR as shape_reject
from shaped
where shape = 'event'
