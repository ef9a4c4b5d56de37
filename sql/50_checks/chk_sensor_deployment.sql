-- What `podtrail sensor` recorded for the gaps checks (sensor_log):
--   sensor-coverage / sensor-not-deployed: a node where no sensor pod could run or start (Fargate,
--       Windows, an untolerated taint, a kernel without BTF, an admission refusal, ...), with the
--       reason; the last node record of each deployment counts;
--   sensor-coverage / sensor-log-gap: a span of a node's sensor log that may be missing (the
--       kubelet serves only the current log file, the export file rotates) or was not read;
--   clock / node-clock-reported | node-clock-offset | node-clock-unsynced: each node's clock
--       against the API server's, as its sensor pod reported it (the median of its reports), beside
--       the offsets the clock check measures: beyond the case tolerance (plus the report's own
--       uncertainty) it is a gap; a host that says its time is not synchronized is unknown.
create or replace view chk_sensor_deployment as

with

range as (
    select * from chk__range
),

log as (
    select * from sensor_log
),

last_nodes as (
    select *
    from log
    where record = 'node'
    qualify row_number() over (partition by deployment_id, node_name order by logged_at desc, row_id desc) = 1
),

node_findings as (
    select
        'sensor-coverage' as check_id,
        'sensor-not-deployed' as kind,
        'sensor-coverage:deployment:' || deployment_id || ':' || node_name as finding_id,
        'gap' as status,
        sensor as source,
        node_name,
        null::VARCHAR as region,
        logged_at as interval_from,
        r.range_to as interval_to,
        epoch(r.range_to) - epoch(logged_at) as seconds,
        null::DOUBLE as value,
        to_json({'deployment_id': deployment_id, 'reason': reason, 'row_id': row_id}) as detail,
        node_name || ': no ' || sensor || ' sensor pod (' || coalesce(reason, 'unknown') || '): ' || message as message
    from last_nodes
    cross join range as r
    where state = 'no-sensor'
),

gap_findings as (
    select
        'sensor-coverage',
        'sensor-log-gap',
        'sensor-coverage:log:' || deployment_id || ':' || row_id,
        'gap',
        sensor,
        node_name,
        null::VARCHAR,
        gap_from,
        gap_to,
        epoch(gap_to) - epoch(gap_from),
        null::DOUBLE,
        to_json({'deployment_id': deployment_id, 'reason': reason, 'pod': pod_namespace || '/' || pod_name, 'row_id': row_id}),
        reason || ': ' || message
    from log
    where record = 'gap'
),

clocks as (
    select
        node_name,
        sensor,
        count(*) as reports,
        median(clock_offset_ms) / 1000 as offset_seconds,
        max(clock_uncertainty_ms) / 1000 as uncertainty_seconds,
        min(node_time)::TIMESTAMP as first_at,
        max(node_time)::TIMESTAMP as last_at,
        arg_max(timesync, logged_at) as timesync
    from log
    where record = 'clock' and clock_offset_ms is not null
    group by node_name, sensor
),

clock_findings as (
    select
        'clock',
        case
            when c.timesync = 'not-synchronized' then 'node-clock-unsynced'
            when abs(c.offset_seconds) > r.tolerance_seconds + c.uncertainty_seconds then 'node-clock-offset'
            else 'node-clock-reported'
        end,
        'clock:sensor:' || c.sensor || ':' || c.node_name,
        case
            when c.timesync = 'not-synchronized' then 'unknown'
            when abs(c.offset_seconds) > r.tolerance_seconds + c.uncertainty_seconds then 'gap'
            else 'ok'
        end,
        c.sensor,
        c.node_name,
        null::VARCHAR,
        c.first_at,
        c.last_at,
        epoch(c.last_at) - epoch(c.first_at),
        round(c.offset_seconds, 3),
        to_json({'reports': c.reports, 'offset_seconds': round(c.offset_seconds, 3), 'uncertainty_seconds': c.uncertainty_seconds, 'timesync': c.timesync}),
        c.node_name || ': its sensor pod reports the node clock ' || round(c.offset_seconds, 3) || ' s from the API server''s (±'
            || c.uncertainty_seconds || ' s, ' || c.reports || ' reports); time sync: ' || c.timesync
            || case
                when c.timesync = 'not-synchronized' then ': the host says its clock is not synchronized'
                when abs(c.offset_seconds) > r.tolerance_seconds + c.uncertainty_seconds then ': beyond the ' || r.tolerance_seconds || ' s tolerance'
                else ''
            end
    from clocks as c
    cross join range as r
),

final as (
    select * from node_findings
    union all
    select * from gap_findings
    union all
    select * from clock_findings
)

select * from final
