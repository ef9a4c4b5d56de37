-- EventBridge deliveries: the event under "detail" (delivery eventbridge).
select
    _efid,
    _ordinal,
    _line,
    case when coalesce(_doc ->> 'detail-type', '') like '% via CloudTrail' then '/detail' else '' end as record_path,
    'eventbridge' as delivery,
    _doc -> 'detail' as rec,
    case
        when coalesce(_doc ->> 'detail-type', '') not like '% via CloudTrail' then 'reject.unknown_shape'
        when not pt_cloudtrail_is_event(_doc -> 'detail') then 'reject.unknown_shape'
    end as shape_reject
from shaped
where shape = 'eventbridge'
