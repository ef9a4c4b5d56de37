-- The exec command and the timestamps of each event, and whether they are missing or unparsable.
select
    *,
    case
        when subresource in ('exec', 'attach')
            then nullif(array_to_string(pt_ka_query_values(request_uri_raw, 'command'), ' '), '')
    end as exec_command_raw,
    coalesce(pt_ts(received_raw), pt_ts(legacy_raw), pt_ts(stage_raw)) as request_received_at,
    coalesce(pt_ts(stage_raw), pt_ts(legacy_raw)) as stage_at,
    coalesce(received_raw, legacy_raw, stage_raw) is null as ts_missing,
    (received_raw is not null and pt_ts(received_raw) is null)
        or (stage_raw is not null and pt_ts(stage_raw) is null)
        or (legacy_raw is not null and pt_ts(legacy_raw) is null) as ts_invalid
from events
