-- Every record of every shape, with its id and the reject its shape earns (NULL: none). A column
-- a shape does not give is NULL (union by name): idx outside lists, lookup_element outside
-- lookup-events, delivery and rec for a value that is no record.
select
    *,
    -- <file>-<ordinal> for a record that is a whole value, <file>-<ordinal>-<i> for element i of a list
    case when idx is null then pt_row_id(_efid, _ordinal) else pt_row_id_el(_efid, _ordinal, idx) end as row_id
from (
    select * from s3_records
    union all by name
    select * from lookup_records
    union all by name
    select * from eventbridge_records
    union all by name
    select * from single_records
    union all by name
    select * from array_records
    union all by name
    select * from value_rejects
)
