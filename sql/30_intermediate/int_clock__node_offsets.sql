-- Per node clock offset: declared in case.yaml, else measured from at least 3 pairs that agree
-- (their interquartile spread within 2 s: pairs that disagree more mean some were matched to the
-- wrong connect), else unknown (never zero by default). The logic behind node_clock_offsets.
-- A pair measures skew minus latency (the connect precedes the logged request by the time the
-- client needs to send it). The latency is taken as the median of the per-node medians over the
-- nodes with at least 3 pairs when there are at least 3 such nodes (most nodes keep good time),
-- and removed; with fewer measured nodes the raw median is reported. CloudTrail's eventTime is
-- truncated to the whole second, so each pair carries ±0.5 s: an offset within that is reported
-- as not measurable (NULL, joins assume 0), never as a value.
create or replace view int_clock__node_offsets as

with

pairs as (
    select * from int_clock__pairs
),

nodes as (
    select distinct node_name from runtime_events where node_name is not null
    union
    select distinct name from k8s_nodes
),

measured as (
    select
        node_name,
        median(offset_seconds) as offset_seconds,
        count(*) as pairs,
        quantile_cont(offset_seconds, 0.75) - quantile_cont(offset_seconds, 0.25) as spread_seconds,
        to_json(list({'row_id': row_id, 'event_id': event_id, 'kind': kind, 'offset_seconds': round(offset_seconds, 3)}
            order by call_ts, event_id, kind, row_id)[1:20]) as evidence
    from pairs
    group by node_name
),

baseline as (
    select case when count(*) >= 3 then median(offset_seconds) else 0 end as latency_seconds
    from measured
    where pairs >= 3 and spread_seconds <= 2
),

declared as (
    select * from case_node_offsets
),

final as (
    select
        n.node_name,
        case
            when d.node_name is not null then d.offset_seconds
            when m.pairs >= 3 and m.spread_seconds <= 2 and abs(m.offset_seconds - b.latency_seconds) >= 0.5
                then round(m.offset_seconds - b.latency_seconds, 3)
        end as offset_seconds,
        case
            when d.node_name is not null then 'declared'
            when m.pairs >= 3 and m.spread_seconds <= 2 and abs(m.offset_seconds - b.latency_seconds) >= 0.5 then 'measured'
            when m.pairs >= 3 and m.spread_seconds <= 2 then 'not-measurable'
            else 'unknown'
        end as method,
        coalesce(m.pairs, 0) as pairs,
        round(m.spread_seconds, 3) as spread_seconds,
        coalesce(m.evidence, '[]'::JSON) as evidence
    from nodes as n
    left join measured as m on m.node_name = n.node_name
    left join declared as d on d.node_name = n.node_name
    cross join baseline as b
    where n.node_name is not null
)

select * from final
