-- name: image-digest-changes
-- description: Images (repository:tag) seen with more than one digest, in inventory snapshots or runtime events: a re-pushed tag, and the pods that ran each digest.
-- params: none
--
-- One row per (image, digest), digests numbered in the order they were first seen; previous_digest
-- is the digest seen before it. Runtime times are the sensor (node) clock.

with

inventory as (
    select
        c.image,
        c.image_digest,
        p.uid as pod_uid,
        p.namespace || '/' || p.name as pod,
        p.snapshot_at::TIMESTAMP_NS as seen_at,
        'inventory' as source
    from (
        select
            uid,
            namespace,
            name,
            snapshot_at,
            unnest(from_json(containers, '[{"image":"VARCHAR","image_digest":"VARCHAR"}]')) as c
        from k8s_pods
    ) as p
),

runtime as (
    select
        image_ref as image,
        image_digest,
        pod_uid,
        pod_namespace || '/' || pod_name as pod,
        ts as seen_at,
        source
    from runtime_events
    where image_ref is not null
),

sightings as (
    select * from inventory
    union all
    select * from runtime
),

per_digest as (
    select
        image,
        image_digest,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        count(*) as sightings,
        list(distinct pod order by pod) filter (where pod is not null) as pods,
        list(distinct pod_uid order by pod_uid) filter (where pod_uid is not null) as pod_uids,
        list(distinct source order by source) as sources
    from sightings
    where image is not null and image_digest is not null and image not like '%@sha256:%'
    group by image, image_digest
),

changed as (
    select *
    from per_digest
    qualify count(*) over (partition by image) > 1
),

final as (
    select
        image,
        row_number() over (partition by image order by first_seen_at, image_digest) as digest_no,
        image_digest,
        lag(image_digest) over (partition by image order by first_seen_at, image_digest) as previous_digest,
        first_seen_at,
        last_seen_at,
        sightings,
        pods,
        pod_uids,
        sources
    from changed
)

select * from final
order by image, digest_no
