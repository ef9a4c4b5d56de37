-- Cloud credentials of a pod used from outside the cluster, for the report: one row per call of the
-- correlation table credential_misuse (which says when a credential belongs to a pod, a service
-- account or a node, and what counts as outside), with the call as text and its target from
-- rpt_calls.
create or replace view rpt_credential_misuse as

with

misuse as (
    select * from credential_misuse
),

calls as (
    select event_id, call, target from rpt_calls
),

final as (
    select
        m.access_key_id,
        m.credential,
        m.pod_uid,
        m.owner_namespace,
        m.owner_service_account,
        m.owner_node_name,
        m.owned_by,
        m.pod_gone,
        m.source_ip,
        m.event_id,
        c.call,
        c.target,
        m.ts
    from misuse as m
    inner join calls as c on c.event_id = m.event_id
)

select * from final
