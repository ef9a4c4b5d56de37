-- kubectl get serviceaccounts -o json -> k8s_service_accounts (one row per ServiceAccount per snapshot).
--
-- Reads the temp table inventory_items (inventory_items.sql: the records of the file, each with
-- its ids and snapshot_at) where lands_as = 'ServiceAccount'.
-- Ends with _disposition: landed | reject.missing_id (no metadata.uid): pt_inventory_disposition.
--
-- Field choices: the cloud identity bindings are read from metadata.annotations:
-- eks.amazonaws.com/role-arn (IRSA), azure.workload.identity/client-id (Azure workload identity),
-- iam.gke.io/gcp-service-account (GKE workload identity); annotations keeps them all as JSON.

with

service_accounts as materialized (
    select
        *,
        pt_inventory_service_account(item) as sa
    from inventory_items
    where lands_as = 'ServiceAccount'
),

final as (
    select
        -- ids, snapshot_at (UTC): the frame inventory_items gives every record
        row_id, evidence_file_id, line, record_path, snapshot_at,
        -- dimensions
        sa.metadata.namespace as namespace,
        sa.metadata.name as name,
        nullif(sa.metadata.uid, '') as uid,
        nullif(sa.metadata.annotations ->> 'eks.amazonaws.com/role-arn', '') as irsa_role_arn,
        nullif(sa.metadata.annotations ->> 'azure.workload.identity/client-id', '') as azure_client_id,
        nullif(sa.metadata.annotations ->> 'iam.gke.io/gcp-service-account', '') as gcp_service_account,
        -- timestamps (UTC)
        pt_ts(sa.metadata.creationTimestamp) as created_at,
        -- documents
        sa.metadata.annotations as annotations,
        pt_inventory_disposition(sa.metadata.uid) as _disposition
    from service_accounts
)

select * from final
