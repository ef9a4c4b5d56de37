-- S3 log files {"Records": [...]}: one record per Records element (delivery s3-log-file).

with

s3_elements as (
    select
        *,
        -- one parse: the element's own type, then the event keys it has
        json_type(el, ['$', '$.eventID', '$.eventTime', '$.eventSource', '$.eventName']) as member_types
    from elements
    where shape = 'records'
),

final as (
    select
        -- ids (elements)
        * exclude (shape, el, member_types),
        's3-log-file' as delivery,
        el as rec,
        case
            when member_types[1] is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when len(list_filter(member_types[2:5], t -> t is not null)) = 0 then 'reject.unknown_shape'
        end as shape_reject
    from s3_elements
)

select * from final
