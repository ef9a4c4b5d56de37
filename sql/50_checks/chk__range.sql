-- The span the checks examine: the case window plus its margin (what ingest lands), and the
-- window itself (what the analyst asked about).
create or replace view chk__range as

with

settings as (
    select * from case_settings
),

final as (
    select
        window_from,
        window_to,
        window_from - to_seconds(margin_seconds) as range_from,
        window_to + to_seconds(margin_seconds) as range_to,
        tolerance_seconds,
        expected_gap_floor_seconds,
        expected_gap_ceiling_seconds
    from settings
)

select * from final
