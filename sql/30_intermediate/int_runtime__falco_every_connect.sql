-- Nodes whose Falco rule set is known to alert on every outbound connect, so that its silence
-- counts (the node coverage view): recorded by `podtrail sensor deploy` (sensor_log: a falco
-- deployment with alerts_every_outbound_connect, and its node records of a running sensor pod), or
-- declared in case.yaml (case_sensors; NULL node = every node with Falco events). A declaration
-- of false, or a recorded false, wins over a true: unknown or not-every-connect is unobservable.
-- basis: sensor-log | case-yaml.
create or replace view int_runtime__falco_every_connect as

with

deployments as (
    select deployment_id, bool_and(alerts_every_outbound_connect) as every_connect
    from sensor_log
    where record in ('deployment', 'existing-sensor') and sensor = 'falco'
    group by deployment_id
),

deployed_nodes as (
    select distinct n.node_name, d.every_connect, 'sensor-log' as basis
    from sensor_log as n
    inner join deployments as d on d.deployment_id = n.deployment_id
    where n.record = 'node' and n.state = 'running' and n.node_name is not null
),

falco_nodes as (
    select distinct node_name from runtime_events where source = 'falco' and node_name is not null
),

declared_nodes as (
    select coalesce(s.node_name, f.node_name) as node_name, s.alerts_every_outbound_connect as every_connect, 'case-yaml' as basis
    from case_sensors as s
    left join falco_nodes as f on s.node_name is null
    where s.sensor = 'falco'
),

claims as (
    select * from deployed_nodes
    union all
    select * from declared_nodes where node_name is not null
),

final as (
    select node_name, min(basis) as basis
    from claims
    group by node_name
    having bool_and(coalesce(every_connect, false))
)

select * from final
