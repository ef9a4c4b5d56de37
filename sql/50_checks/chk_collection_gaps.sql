-- Collection gaps (part of check 2, coverage): what a live collection (`podtrail collect k8s|aws`)
-- recorded it could not get, from collection_log: a resource the identity may not read
-- (forbidden), one not collected (server failures after the bounded retries, or a run stopped
-- before it: interrupted, unreachable), a watch whose resourceVersion expired (events between the
-- last one received and the relist may be missing), a watch paused between two runs (events of that
-- span arrived late: their receive times are only upper bounds). A refused or missing List that a
-- later run of the same collection completed is no longer a gap; neither is an interrupted watch
-- that a later run resumed (the pause itself stays, as watch-paused).
create or replace view chk_collection_gaps as

with

gaps as (
    select * from collection_log where record = 'gap'
),

later_snapshots as (
    select collection_id, run, resource from collection_log where record = 'snapshot'
),

later_finished_runs as (
    -- AWS collections: every run tries again what is not done and records a gap for what it still
    -- cannot get, so a later run that finished supersedes the gaps of the runs before it
    select collection_id, run from collection_log where record = 'run' and state = 'finished'
),

later_watches as (
    select collection_id, run from collection_log where record = 'request' and verb = 'watch' and outcome = 'ok'
),

open_gaps as (
    select g.*
    from gaps as g
    where not (
        g.verb = 'list' and g.gap in ('forbidden', 'not-collected', 'interrupted')
        and exists (select 1 from later_snapshots as s where s.collection_id = g.collection_id and s.run > g.run and s.resource = g.resource)
    )
    and not (
        g.verb in ('LookupEvents', 'ListObjectsV2', 'GetObject', 'ListPublicKeys') and g.gap in ('forbidden', 'not-collected', 'interrupted')
        and exists (select 1 from later_finished_runs as r where r.collection_id = g.collection_id and r.run > g.run)
    )
    and not (
        g.verb = 'watch' and g.gap in ('forbidden', 'not-collected', 'interrupted')
        and exists (select 1 from later_watches as w where w.collection_id = g.collection_id and w.run > g.run)
    )
),

final as (
    select
        'coverage' as check_id,
        'collection-gap' as kind,
        'coverage:collection:' || collection_id || ':' || run || ':' || row_id as finding_id,
        'gap' as status,
        case when verb = 'watch' then 'k8s-watch' when verb in ('LookupEvents', 'ListObjectsV2', 'GetObject', 'ListPublicKeys', 'HeadBucket') then 'cloudtrail' else 'inventory' end as source,
        null::VARCHAR as node_name,
        null::VARCHAR as region,
        gap_from as interval_from,
        gap_to as interval_to,
        epoch(gap_to) - epoch(gap_from) as seconds,
        null::DOUBLE as value,
        to_json({'collection_id': collection_id, 'run': run, 'gap': gap, 'verb': verb, 'resource': resource, 'server': server, 'row_id': row_id}) as detail,
        gap || ' (' || verb || ' ' || resource || ', collection ' || collection_id || ' run ' || run || '): ' || message as message
    from open_gaps
)

select * from final
