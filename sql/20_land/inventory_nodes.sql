-- kubectl get nodes -o json -> k8s_nodes (one row per Node per snapshot).
--
-- Reads the temp table inventory_items (inventory_items.sql: the records of the file, each with
-- its ids and snapshot_at) where lands_as = 'Node'.
-- Ends with _disposition: landed | reject.missing_id (no metadata.uid): pt_inventory_disposition.
--
-- Field choices: instance_id is the i-... at the end of an AWS providerID (aws:///us-east-1a/i-0abc
-- -> i-0abc; NULL for other clouds, whose ids are no CloudTrail session name); zone is the
-- topology.kubernetes.io/zone label, else the legacy failure-domain.beta.kubernetes.io/zone label,
-- else the zone in an aws:/// or gce:// providerID; internal_ips/external_ips keep the order of
-- status.addresses ([] when there is none of that type).

with

nodes as materialized (
    select
        *,
        pt_inventory_node(item) as n
    from inventory_items
    where lands_as = 'Node'
),

final as (
    select
        -- ids, snapshot_at (UTC): the frame inventory_items gives every record
        row_id, evidence_file_id, line, record_path, snapshot_at,
        -- dimensions
        n.metadata.name as name,
        nullif(n.metadata.uid, '') as uid,
        n.spec.providerID as provider_id,
        nullif(regexp_extract(n.spec.providerID, '^aws://[^/]*/[^/]*/(i-[0-9a-zA-Z]+)$', 1), '') as instance_id,
        coalesce(
            nullif(n.metadata.labels ->> 'topology.kubernetes.io/zone', ''),
            nullif(n.metadata.labels ->> 'failure-domain.beta.kubernetes.io/zone', ''),
            nullif(regexp_extract(n.spec.providerID, '^aws://[^/]*/([^/]+)/', 1), ''),
            nullif(regexp_extract(n.spec.providerID, '^gce://[^/]+/([^/]+)/', 1), '')
        ) as zone,
        coalesce(
            list_transform(list_filter(n.status.addresses, a -> a.type = 'InternalIP' and a.address is not null), a -> pt_ip_norm(a.address)),
            []::VARCHAR[]
        ) as internal_ips,
        coalesce(
            list_transform(list_filter(n.status.addresses, a -> a.type = 'ExternalIP' and a.address is not null), a -> pt_ip_norm(a.address)),
            []::VARCHAR[]
        ) as external_ips,
        -- timestamps (UTC)
        pt_ts(n.metadata.creationTimestamp) as created_at,
        -- documents
        n.metadata.labels as labels,
        pt_inventory_disposition(n.metadata.uid) as _disposition
    from nodes
)

select * from final
