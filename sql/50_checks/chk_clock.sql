-- Check 3, clock drift: per node, the offset of its sensor clock (node_clock_offsets): measured from
-- pairs that need no attribution, or declared in case.yaml. A measured offset beyond the case's
-- tolerance is a gap (correlation already moved that node's runtime evidence by it, and says so in
-- every attribution's clock_offset_seconds); a node with too few pairs is unknown, never zero.
create or replace view chk_clock as

with

range as (
    select * from chk__range
),

offsets as (
    select * from node_clock_offsets
),

final as (
    select
        'clock' as check_id,
        case
            when o.method = 'unknown' then 'clock-unknown'
            when o.method = 'declared' then 'clock-declared'
            when o.method = 'not-measurable' then 'clock-below-resolution'
            when abs(o.offset_seconds) > r.tolerance_seconds then 'clock-offset'
            else 'clock-in-tolerance'
        end as kind,
        'clock:' || o.node_name as finding_id,
        case
            when o.method = 'unknown' then 'unknown'
            when o.method = 'measured' and abs(o.offset_seconds) > r.tolerance_seconds then 'gap'
            else 'ok'
        end as status,
        'tetragon' as source,
        o.node_name,
        null::VARCHAR as region,
        r.range_from as interval_from,
        r.range_to as interval_to,
        epoch(r.range_to) - epoch(r.range_from) as seconds,
        o.offset_seconds as value,
        to_json({'method': o.method, 'offset_seconds': o.offset_seconds, 'pairs': o.pairs, 'spread_seconds': o.spread_seconds, 'pairs_used': o.evidence}) as detail,
        case
            when o.method = 'unknown' then o.node_name || ': clock offset unknown ('
                || case when o.pairs >= 3 then o.pairs || ' pairs that disagree by ' || coalesce(o.spread_seconds, 0) || ' s' else pt_count(o.pairs, 'pair', 'pairs') || ', 3 needed' end
                || '); joins assume 0 within the '
                || r.tolerance_seconds || ' s tolerance'
            when o.method = 'declared' then o.node_name || ': declared offset ' || o.offset_seconds || ' s applied'
            when o.method = 'not-measurable' then o.node_name || ': offset not measurable: ' || pt_count(o.pairs, 'pair puts', 'pairs put')
                || ' it within 0.5 s, inside the whole second CloudTrail gives eventTime; joins assume 0 within the ' || r.tolerance_seconds || ' s tolerance'
            when abs(o.offset_seconds) > r.tolerance_seconds then o.node_name || ': clock runs ' || abs(o.offset_seconds) || ' s '
                || case when o.offset_seconds > 0 then 'ahead' else 'behind' end || ' (' || pt_count(o.pairs, 'pair', 'pairs') || ', spread ' || coalesce(o.spread_seconds, 0)
                || ' s); correlation moved its runtime evidence by that offset'
            else o.node_name || ': offset ' || o.offset_seconds || ' s within the ' || r.tolerance_seconds || ' s tolerance (' || pt_count(o.pairs, 'pair', 'pairs') || ')'
        end as message
    from offsets as o
    cross join range as r
)

select * from final
