-- invariant: pod_lifecycle gives each pod UID a sequence of validity intervals that do not
-- overlap, each with valid_from <= valid_to (resolving (IP, time) or
-- (namespace, name, time) to one UID depends on it). Also: interval_no runs 1..n without holes, and
-- only the last interval of a UID may be open (valid_to NULL). Failing rows: the UID, the
-- interval(s) and what is wrong.
with

lifecycle as (
    select
        pod_uid,
        interval_no,
        valid_from,
        valid_to,
        count(*) over (partition by pod_uid) as intervals,
        max(interval_no) over (partition by pod_uid) as last_no
    from pod_lifecycle
),

inverted as (
    select pod_uid, interval_no, null::INTEGER as other_no, 'valid_from ' || valid_from || ' after valid_to ' || valid_to as problem
    from lifecycle
    where valid_from > valid_to
),

unbounded_start as (
    select pod_uid, interval_no, null::INTEGER as other_no, 'valid_from is NULL' as problem
    from lifecycle
    where valid_from is null
),

open_before_last as (
    select pod_uid, interval_no, null::INTEGER as other_no, 'open interval (valid_to NULL) before the last one' as problem
    from lifecycle
    where valid_to is null and interval_no < last_no
),

numbering as (
    select pod_uid, interval_no, null::INTEGER as other_no, 'interval numbers are not 1..' || intervals as problem
    from lifecycle
    where interval_no < 1 or last_no <> intervals
),

overlapping as (
    select a.pod_uid, a.interval_no, b.interval_no as other_no,
        'interval ' || a.interval_no || ' [' || a.valid_from || ', ' || coalesce(a.valid_to::VARCHAR, 'open')
        || ') overlaps interval ' || b.interval_no || ' [' || b.valid_from || ', ' || coalesce(b.valid_to::VARCHAR, 'open') || ')' as problem
    from lifecycle as a
    inner join lifecycle as b
        on a.pod_uid = b.pod_uid
        and a.interval_no < b.interval_no
        and (a.valid_to is null or a.valid_to > b.valid_from)
        and (b.valid_to is null or b.valid_to > a.valid_from)
),

final as (
    select * from inverted
    union all
    select * from unbounded_start
    union all
    select * from open_before_last
    union all
    select * from numbering
    union all
    select * from overlapping
)

select * from final
order by pod_uid, interval_no, other_no
