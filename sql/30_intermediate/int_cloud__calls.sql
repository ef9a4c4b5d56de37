-- Cloud calls with what the correlation needs derived once: whether the source is an address or an
-- AWS service, whether it is private (or an address a pod or node of the cluster held, or one a node's
-- interface holds: IPv6 ones are global), and the node-role / IRSA markers of the principal.
create or replace view int_cloud__calls as

with

events as (
    select * from cloud_events
),

-- sources a cluster node's network interface holds (an address, or one inside a delegated prefix:
-- an IPv6 cluster's pods take global addresses from their node's /80)
interface_sources as (
    select distinct s.source_ip
    from (select distinct source_ip, pt_ip_int(source_ip) as ip_int from events where pt_is_ip(source_ip)) as s
    inner join int_net__address_owners as o on s.ip_int >= o.lo and s.ip_int <= o.hi
    where o.node_name is not null
),

final as (
    select
        event_id,
        row_id,
        ts,
        event_source,
        event_name,
        error_code,
        principal_type,
        principal_arn,
        access_key_id,
        session_name,
        session_issuer_arn,
        session_created_at,
        web_identity_subject,
        ec2_role_delivery,
        invoked_by,
        source_ip,
        vpc_endpoint_id,
        user_agent,
        issued_access_key_id,
        session_tags,
        request_parameters,
        pt_is_ip(source_ip) as source_is_ip,
        pt_is_private_ip(source_ip) or source_ip in (select ip from int_net__cluster_addresses)
            or source_ip in (select source_ip from interface_sources) as source_is_private,
        pt_ip_int(source_ip) as source_ip_int,
        -- a call AWS made on someone's behalf: the source is a service name, not an address
        (source_ip is not null and not pt_is_ip(source_ip)) or invoked_by is not null as aws_invoked,
        regexp_full_match(coalesce(session_name, ''), 'i-[0-9a-f]{8,17}') as node_role_session,
        session_tags['kubernetes-pod-uid'] as tag_pod_uid,
        session_tags['kubernetes-namespace'] as tag_namespace,
        session_tags['kubernetes-service-account'] as tag_service_account,
        session_tags['kubernetes-pod-name'] as tag_pod_name
    from events
)

select * from final
