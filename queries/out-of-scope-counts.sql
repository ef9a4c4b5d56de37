-- name: out-of-scope-counts
-- description: What the case scope left out: records outside the window plus margin (counted at ingest, not landed), and runtime events outside the scope namespaces (landed with in_scope = false).
-- params: none
--
-- scope = window: per source type, records_out_of_window of evidence_files.
-- scope = namespace: per runtime source and namespace (NULL namespace: host processes).

with

out_of_window as (
    select
        'window' as scope,
        source_type as source,
        null::VARCHAR as namespace,
        sum(records_out_of_window)::BIGINT as records,
        count(*) filter (where records_out_of_window > 0) as files
    from evidence_files
    where status = 'landed'
    group by source_type
),

out_of_namespace as (
    select
        'namespace' as scope,
        source,
        pod_namespace as namespace,
        count(*) as records,
        count(distinct evidence_file_id) as files
    from runtime_events
    where not in_scope
    group by source, pod_namespace
),

final as (
    select scope, source, namespace, records, files from out_of_window
    union all
    select scope, source, namespace, records, files from out_of_namespace
)

select * from final
order by scope desc, source, namespace nulls first
