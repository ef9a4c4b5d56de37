-- int_attr__candidate_lists: for each call with candidates to list, the candidates as attributions
-- gives them (JSON, ordered by pod uid: the decided pod alone for a proven or strong row, every kept
-- candidate for an ambiguous one), their count and their runtime rows.
create or replace view int_attr__candidate_lists as

with

decisions as (
    select * from int_attr__final
),

candidate_docs as (
    select * from int_attr__candidate_docs
),

pod_tags as (
    select * from int_attr__pod_tags
),

candidate_events as (
    -- whose candidates a decision lists: its own; for a call AWS made on a session's behalf that
    -- has none of its own (static key or source-address path: the service's address names no
    -- pod), those of the call it inherited from, so the pod it names is among its candidates
    select
        d.*,
        case
            when d.trigger_event_id is not null
                and not exists (select 1 from candidate_docs as c where c.event_id = d.event_id)
                then d.trigger_event_id
            else d.event_id
        end as candidates_of
    from decisions as d
),

final as (
    select
        d.event_id,
        to_json(list({
            'pod_uid': c.pod_uid, 'namespace': coalesce(c.namespace, pt.namespace), 'name': coalesce(c.name, pt.name), 'node_name': c.node_name, 'kept_by': c.kept_by
        } order by c.pod_uid)) as candidates,
        count(c.pod_uid)::INTEGER as candidate_count,
        list_sort(list_distinct(flatten(list(c.connect_row_ids)))) as runtime_rows
    from candidate_events as d
    inner join candidate_docs as c
        on c.event_id = d.candidates_of
        and (
            (d.confidence in ('proven', 'strong') and c.pod_uid = d.pod_uid)
            or d.confidence = 'ambiguous'
        )
    left join pod_tags as pt on pt.event_id = d.event_id and pt.pod_uid = c.pod_uid
    group by d.event_id
)

select * from final
