-- int_attr__outcomes: one row per call with what its own evidence gives the direct rules (the call,
-- its candidates' tallies, the pods of its service account, the holders of its source address,
-- whether inventory snapshots bracket it) and the outcome that evidence reaches, in the order
-- the rules are tried: the first that holds decides.
create or replace view int_attr__outcomes as

with

events as (
    select * from int_attr__events
),

tallies as (
    select * from int_attr__tallies
),

account_pods as (
    select * from int_attr__account_pods
),

source_holders as (
    select * from int_attr__source_holders
),

scored as (
    select * from int_attr__scored
),

chains as (
    select * from int_attr__relay_chains
),

snapshot_instants as (
    select distinct snapshot_at from k8s_pods
),

source_relayed as (
    -- someone connected to the holder of the source address, which then connected out
    select distinct event_id from chains where via = 'pod-ip' and service_match is not false
),

bracketed as (
    select
        e.event_id,
        exists (select 1 from snapshot_instants as s where s.snapshot_at <= e.ts)
            and exists (select 1 from snapshot_instants as s where s.snapshot_at >= e.ts) as inventory_brackets
    from events as e
),

inputs as (
    select
        e.*,
        t.* exclude (event_id),
        b.inventory_brackets,
        coalesce(ap.n, 0) as n_sa_pods,
        ap.pod_uid as sa_pod_uid,
        -- learned egress alone never decides: the single pod must fit the source otherwise
        coalesce(ss.explained and (ss.ip_relation in ('pod-ip', 'node-ip', 'relay')
            or (ss.ip_relation = 'egress-nat' and ss.fact_id not like 'learned:%')), false) as sa_pod_explained,
        r.event_id is not null as source_relayed,
        coalesce(ap.n_unknown, 0) as n_unknown_sa_pods,
        -- the source's holder is unresolved: an open holder held it, or nobody the evidence knows
        -- did while every kept pod has an address of its own
        sh.event_id is not null and (sh.n_open_holders > 0 or (sh.n_holders = 0 and t.n_kept_addressless = 0)) as holder_unresolved,
        sh.n_open_holders,
        sh.open_holders
    from events as e
    inner join tallies as t on t.event_id = e.event_id
    inner join bracketed as b on b.event_id = e.event_id
    left join account_pods as ap on ap.event_id = e.event_id
    left join scored as ss on ss.event_id = e.event_id and ss.pod_uid = ap.pod_uid and ap.n = 1
    left join source_relayed as r on r.event_id = e.event_id
    left join source_holders as sh on sh.event_id = e.event_id
),

final as (
    select
        *,
        case
            when inherits then 'inherit'
            when path = 'pod-identity' and pi_pod_uid is not null then
                case when pi_explained then 'tag' when pi_kept then 'tag-doubt' else 'tag-outside' end
            when n_kept = 0 then 'none'
            when n_pod_ip = 1 and not coalesce(pod_ip_is_relay, false) and not source_relayed then
                case when path = 'irsa' and source_is_private and inventory_brackets then 'irsa-ip' else 'ip' end
            when n_any = 1 and n_decisive = 1 and n_blind = 0 and n_recent_only = 0 then
                case when evidence_uid like 'host:%' then 'host' when evidence_relayed then 'relay' else 'runtime' end
            when n_any = 0 and n_range = 1 and n_range_decisive = 1 and n_aws_any = 1 and n_blind = 0 and n_recent_only = 0 then
                case when range_uid like 'host:%' then 'host-range' else 'range' end
            when n_any = 0 and n_recent = 1 and n_decisive_recent = 1 and n_blind = 0 then
                case when recent_uid like 'host:%' then 'host-recent' else 'keepalive' end
            when path = 'node-role' and subject_node_name is not null and n_imds_pods = 0 then 'node-host'
            when path in ('irsa', 'pod-identity') and sa_name is not null and n_sa_pods = 1 and n_unknown_sa_pods = 0 and sa_pod_explained and inventory_brackets then 'single'
            when n_kept_pods = 0 then 'only-host'
            -- no kept candidate explains the private source, and its holder is unknown or may be a pod of the account
            when n_explained = 0 and holder_unresolved then 'unresolved'
            else 'open'
        end as outcome
    from inputs
)

select * from final
