-- The audit event inside each record: the record itself, the JSON of an EKS message or an AKS
-- properties.log, or a GKE entry mapped onto the audit event's shape.

with

-- GKE: resourceName <group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
gke_parsed as (
    select
        *,
        case when wrapper = 'gke' then regexp_extract(
            g[5],
            '^([^/]+)/([^/]+)/namespaces/([^/]+)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$',
            ['api_group', 'api_version', 'namespace', 'resource', 'name', 'subresource']
        ) end as rn_ns,
        case when wrapper = 'gke' then regexp_extract(
            g[5],
            '^([^/]+)/(v[0-9][a-z0-9]*)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$',
            ['api_group', 'api_version', 'resource', 'name', 'subresource']
        ) end as rn_cluster
    from classified
),

-- the audit event inside each record (GKE entries are mapped onto the same shape)
final as (
    select
        _efid,
        _ordinal,
        _line,
        record_path,
        element_idx,
        wrapper,
        is_control,
        aks_category,
        inner_text,
        case
            when wrapper = 'raw' then rec
            when wrapper = 'aks' and inner_object is not null then inner_object
            when wrapper in ('eks-cloudwatch', 'aks') then try_cast(inner_text as JSON)
            when wrapper = 'gke' then json_object(
                'auditID', coalesce(nullif(g[3], ''), g[1]),
                'stage', 'ResponseComplete',
                'verb', nullif(regexp_extract(g[4], '\.([^.]+)$', 1), ''),
                'objectRef', case when rn_ns.resource <> '' then json_object(
                    'apiGroup', nullif(rn_ns.api_group, 'core'),
                    'namespace', rn_ns.namespace,
                    'resource', rn_ns.resource,
                    'name', rn_ns.name,
                    'subresource', rn_ns.subresource
                ) else json_object(
                    'apiGroup', nullif(rn_cluster.api_group, 'core'),
                    'resource', rn_cluster.resource,
                    'name', rn_cluster.name,
                    'subresource', rn_cluster.subresource
                ) end,
                'user', json_object('username', g[6]),
                'sourceIPs', case when g[7] is not null then json_array(g[7]) end,
                'userAgent', g[8],
                'responseStatus', json_object(
                    'code', case when g[11] = 'Status' or g[12] like '%.Status' then g[13] end
                ),
                'annotations', gj[1],
                'requestReceivedTimestamp', g[2],
                'stageTimestamp', g[2],
                'requestObject', json_object('metadata', json_object('uid', g[9]), 'spec', json_object('boundObjectRef', gj[2])),
                'responseObject', json_object('metadata', json_object('uid', g[10]))
            )
        end as ev
    from gke_parsed
)

select * from final
