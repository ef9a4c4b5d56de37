-- AWS CloudTrail -> cloud_events.
--
-- Reads relation `src` (_ordinal, _line, _path, _doc JSON: one row per line or top-level value).
-- Params: $window_lo, $window_hi (UTC text), $duplicate_keys (VARCHAR[]). Temp table
-- pt_seen_event_ids(event_id, s3) holds the event ids already landed (earlier files of this ingest
-- and earlier ingests) and whether that copy came from an S3 log file.
-- Ends with _disposition: landed | out_of_window | duplicate | reject.<reason>.
--
-- Accepted shapes, per value:
--   {"Records": [event, ...]}   CloudTrail's S3 log file. delivery 's3-log-file' whatever the
--                               file's origin (this envelope is the log file format itself; the S3
--                               key is kept in evidence_files.s3_key), so $delivery_hint is not read.
--                               Record i: row_id <file>-<ordinal>-<i>, record_path /Records/<i-1>.
--   {"Events": [{EventId, EventTime, EventName, EventSource, ReadOnly, AccessKeyId, Username,
--     Resources, CloudTrailEvent: "<json string>"}], "NextToken": ...}
--                               `aws cloudtrail lookup-events` output. delivery 'lookup-events'.
--                               CloudTrailEvent is parsed with json(); every field comes from that
--                               inner event, with the outer fields as fallback where the inner lacks
--                               them: EventId, EventTime, EventName, EventSource, ReadOnly,
--                               AccessKeyId, Resources (only when the inner has no resources), and
--                               Username, which lookup-events fills with the role session name for
--                               assumed roles (-> session_name) and the user name otherwise
--                               (-> user_name). ts_raw is the inner eventTime ("...Z"); the outer
--                               EventTime ("...+00:00") only when the inner has none.
--                               A CloudTrailEvent string that is not valid JSON -> reject.invalid_json.
--                               record_path /Events/<i-1>.
--   {"detail-type": "AWS API Call via CloudTrail", "detail": {event}}
--                               EventBridge delivery (any detail-type ending in "via CloudTrail").
--                               delivery 'eventbridge', record_path /detail. An EventBridge event
--                               of another detail-type -> reject.unknown_shape (record_path '').
--   {event}                     a bare event: delivery 'event-lines' when it is one line of a file
--                               holding several values (_line not null and more than one value),
--                               else 'single-event' (a pretty-printed document, a one-line file, or
--                               an element of a top-level JSON array). record_path ''.
-- Anything else: a value that is not an object -> reject.not_an_object; an object that is neither an
-- event nor one of these envelopes -> reject.unknown_shape; a Records/Events member that is not an
-- array -> one reject.invalid_envelope for the value (record_path /Records or /Events); an element of
-- the list that is not an object -> reject.invalid_envelope for that element only (its siblings land).
--
--   [event, ...] on one line   a JSON array as one value: each element is a record of its own
--                               (row_id <file>-<ordinal>-<i>, record_path /<i-1>, delivery
--                               'single-event'); an element that is not an event -> reject.not_an_object
--                               or reject.unknown_shape; an empty array -> reject.not_an_object.
-- A CloudTrailEvent that is valid JSON but not an object (a number, an array, a string) ->
-- reject.not_an_object: the record never lands from the outer lookup-events fields alone.
--
-- Dispositions, in this order: the shape rejects above; a key twice in one object of the record
-- (found by src/ingest/duplicate-keys.ts, listed in $duplicate_keys) -> reject.duplicate_key; an
-- eventID (or, without one, the lookup-events EventId) that is a JSON number, boolean, object or
-- array -> reject.invalid_value (it would land as its text); no eventID -> reject.missing_id; no
-- eventTime -> reject.missing_timestamp; eventTime not parsable by pt_ts (ISO 8601 with Z or an
-- offset, or Panther's "2024-10-17 21:48:45.000000000") -> reject.invalid_timestamp; outside
-- [$window_lo, $window_hi] -> out_of_window; event id in pt_seen_event_ids (unless this is an S3 log
-- file's copy and the landed one is not: the S3 copy lands and replaces it, whatever the order of the
-- ingest calls), or seen earlier in this file among records that would land (order: value ordinal,
-- then element) -> duplicate; else landed.
-- A copy that is out of window or rejected never hides a later valid copy.
--
-- Field choices (see src/lake/schema.ts for each column):
--   session_name      last segment of an assumed-role ARN, else the principalId after ':' of an
--                     AssumedRole, else lookup-events' Username of an AssumedRole.
--   web_identity_subject  userName of a WebIdentityUser, else responseElements.subjectFromWebIdentityToken,
--                     else the system:serviceaccount:NS:SA suffix of userIdentity.principalId.
--   web_identity_provider userIdentity.identityProvider, else
--                     sessionContext.webIdFederationData.federatedProvider, else responseElements.provider
--                     of an AssumeRoleWithWebIdentity.
--   event_category    lower(eventCategory); else 'insight' for AwsCloudTrailInsight events, 'data'
--                     when managementEvent is false, else 'management'.
--   read_only         readOnly as boolean (JSON true or the string "true" of lookup-events).
--   issued_expires_at credentials.expiration through pt_ts_sts ("Apr 16, 2024, 3:20:04 PM" as UTC).
--   request_parameters, response_elements, additional_event_data, resources: JSON with secrets
--                     replaced by pt_redact_json (sessionToken, secretAccessKey, ...); NULL for JSON null.

-- Steps (sql/20_land/cloudtrail/): the values and their shapes, the records of each shape, their
-- fields (normalized); here, the disposition of each record.

with

checked as (
    select
        *,
        case
            when shape_reject is not null then shape_reject
            when pt_has_duplicate_key($duplicate_keys, _efid, _ordinal, record_path) then 'reject.duplicate_key'
            when id_not_text then 'reject.invalid_value'
            when event_id is null then 'reject.missing_id'
            when ts_raw is null then 'reject.missing_timestamp'
            when ts is null then 'reject.invalid_timestamp'
            when ts < $window_lo::TIMESTAMP or ts > $window_hi::TIMESTAMP then 'out_of_window'
        end as early_disposition
    from normalized
),

-- event ids already landed, and whether that copy came from an S3 log file
seen as (
    select event_id, bool_or(s3) as s3 from pt_seen_event_ids group by event_id
),

ranked as (
    select
        checked.*,
        -- an S3 log file's copy replaces a copy another delivery landed before (src/ingest/commit.ts
        -- moves that one to ingest_duplicates): the log file is CloudTrail's own record of the event
        seen.event_id is not null and not (checked.delivery = 's3-log-file' and not seen.s3) as already_landed,
        case
            when early_disposition is null
                then row_number() over (partition by early_disposition is null, checked.event_id order by _ordinal, idx nulls first, row_id)
        end as copy_in_file
    from checked
    left join seen on seen.event_id = checked.event_id
),

final as (
    select
        * exclude (_efid, _ordinal, idx, shape_reject, id_not_text, early_disposition, already_landed, copy_in_file),
        case
            when early_disposition is not null then early_disposition
            when already_landed or copy_in_file > 1 then 'duplicate'
            else 'landed'
        end as _disposition
    from ranked
)

select * from final
