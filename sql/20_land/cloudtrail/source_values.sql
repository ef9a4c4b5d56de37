-- Each value of `src` with the JSON types its shape depends on.
-- materialized: one parse of each value for everything its shape depends on (a log file is one 10+ MB value)
select
    _efid,
    _ordinal,
    _line,
    _doc,
    json_type(_doc) as doc_type,
    json_type(
        _doc,
        ['$.Records', '$.Events', '$."detail-type"', '$.eventID', '$.eventTime', '$.eventSource', '$.eventName']
    ) as member_types,
    max(_ordinal) over () as last_ordinal
from src
