-- `aws cloudtrail lookup-events` output {"Events": [...]}: one record per Events element, the event
-- inside its CloudTrailEvent string (delivery lookup-events).

with

lookup_elements as (
    select
        *,
        json_type(el) as el_type,
        json_type(el -> 'CloudTrailEvent') as inner_type,
        el ->> 'CloudTrailEvent' as inner_text
    from elements
    where shape = 'lookup'
),

final as (
    select
        -- ids (elements)
        * exclude (shape, el, el_type, inner_type, inner_text),
        'lookup-events' as delivery,
        case
            when inner_type = 'OBJECT' then el -> 'CloudTrailEvent'
            when inner_type = 'VARCHAR' and json_valid(inner_text) and json_type(json(inner_text)) = 'OBJECT'
                then json(inner_text)
        end as rec,
        case when el_type = 'OBJECT' then el end as lookup_element,
        case
            when el_type is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when inner_type = 'VARCHAR' and not json_valid(inner_text) then 'reject.invalid_json'
            -- an embedded event that is not an object never becomes a record of the outer fields alone
            when inner_type = 'VARCHAR' and json_type(json(inner_text)) is distinct from 'OBJECT' then 'reject.not_an_object'
            when inner_type not in ('VARCHAR', 'OBJECT', 'NULL') then 'reject.not_an_object'
            when not (json_exists(el, '$.EventId') or json_exists(el, '$.CloudTrailEvent')) then 'reject.unknown_shape'
        end as shape_reject
    from lookup_elements
)

select * from final
