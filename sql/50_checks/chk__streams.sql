-- Event streams whose silence means lost evidence: the Kubernetes audit log, and each node's
-- Tetragon sensor. (Falco alerts only when a rule fires, and CloudTrail writes only what is called:
-- their silence proves nothing; CloudTrail completeness is checked on its log files instead.)
-- expected_gap_seconds comes from the stream's own rate: the largest of 10 x its mean interval and
-- 3 x its 99th-percentile interval, held between the case's floor and ceiling.
create or replace view chk__streams as

with

range as (
    select * from chk__range
),

events as (
    select 'kube-audit' as source, null::VARCHAR as node_name, request_received_at as ts
    from kube_audit_events
    union all
    select 'tetragon', node_name, ts::TIMESTAMP
    from runtime_events
    where source = 'tetragon' and node_name is not null
),

gaps as (
    select source, node_name, ts, lead(ts) over (partition by source, node_name order by ts) as next_ts
    from events
),

stats as (
    select
        source,
        node_name,
        count(*) as events,
        min(ts) as first_at,
        max(ts) as last_at,
        quantile_cont(epoch(next_ts) - epoch(ts), 0.99) as p99_interval_seconds,
        quantile_cont(epoch(next_ts) - epoch(ts), 0.5) as median_interval_seconds
    from gaps
    group by source, node_name
),

final as (
    select
        s.source,
        s.node_name,
        s.events,
        s.first_at,
        s.last_at,
        (epoch(r.range_to) - epoch(r.range_from)) / s.events as mean_interval_seconds,
        s.p99_interval_seconds,
        coalesce(s.median_interval_seconds, 0) as median_interval_seconds,
        least(
            r.expected_gap_ceiling_seconds,
            greatest(
                r.expected_gap_floor_seconds,
                10 * (epoch(r.range_to) - epoch(r.range_from)) / s.events,
                3 * coalesce(s.p99_interval_seconds, 0)
            )
        ) as expected_gap_seconds
    from stats as s
    cross join range as r
)

select * from final
