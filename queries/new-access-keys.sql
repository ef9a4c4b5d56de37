-- name: new-access-keys
-- description: Access keys created in the evidence (iam:CreateAccessKey), who created them, and their next uses: when, from where, attributed to which pod.
-- params: $uses bigint = 20
--
-- One row per key and use, the first $uses uses of each key in time order (use_no 1, 2, ...);
-- a key never used has one row with use_no NULL. creator_* is the attribution of the
-- CreateAccessKey call itself.

with

new_keys as (
    select access_key_id, subject as iam_user, issuing_event_id, issued_at, parent_access_key_id
    from credential_sessions
    where issuing_event_name = 'CreateAccessKey'
),

attributions as (
    select event_id, ts, event_name, source_ip, access_key_id, pod_uid, pod_namespace, pod_name, confidence
    from attributions
),

uses as (
    select
        a.*,
        row_number() over (partition by a.access_key_id order by a.ts, a.event_id) as use_no
    from attributions as a
    inner join new_keys as k on k.access_key_id = a.access_key_id
),

final as (
    select
        k.access_key_id,
        k.iam_user,
        k.issued_at as created_at,
        k.issuing_event_id as created_by_event_id,
        k.parent_access_key_id as creator_access_key_id,
        c.pod_uid as creator_pod_uid,
        c.pod_name as creator_pod_name,
        c.confidence as creator_confidence,
        u.use_no,
        u.ts as used_at,
        u.event_id as used_by_event_id,
        u.event_name,
        u.source_ip,
        u.pod_uid as used_by_pod_uid,
        u.pod_name as used_by_pod_name,
        u.confidence as use_confidence
    from new_keys as k
    left join attributions as c on c.event_id = k.issuing_event_id
    left join uses as u on u.access_key_id = k.access_key_id and u.use_no <= $uses::BIGINT
)

select * from final
order by created_at, access_key_id, use_no nulls first
