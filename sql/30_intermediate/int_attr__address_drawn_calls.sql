-- int_attr__address_drawn_calls: the calls (int_attr__events) whose credential names no subject,
-- so their source address draws the candidates.
create or replace view int_attr__address_drawn_calls as

with

events as (
    select * from int_attr__events
),

final as (
    -- no subject names the candidates: the source address does
    select *
    from events
    where not inherits
        and not (path = 'pod-identity' and pi_pod_uid is not null)
        and not (path in ('irsa', 'pod-identity') and sa_name is not null)
        and not (path = 'node-role' and subject_node_name is not null)
)

select * from final
