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

with

-- one parse of each value for everything its shape depends on (a log file is one 10+ MB value)
source_values as materialized (
    select
        _efid,
        _ordinal,
        _line,
        _doc,
        json_type(_doc) as doc_type,
        json_type(
            _doc,
            ['$.Records', '$.Events', '$."detail-type"', '$.eventID', '$.eventTime', '$.eventSource', '$.eventName']
        ) as member_types,
        max(_ordinal) over () as last_ordinal
    from src
),

shaped as (
    select
        _efid,
        _ordinal,
        _line,
        _doc,
        last_ordinal,
        member_types[1] as records_type,
        member_types[2] as events_type,
        case
            when doc_type = 'ARRAY' and json_array_length(_doc) > 0 then 'array'
            when doc_type is distinct from 'OBJECT' then 'not_an_object'
            when member_types[1] is not null then 'records'
            when member_types[2] is not null then 'lookup'
            when member_types[3] is not null then 'eventbridge'
            when len(list_filter(member_types[4:7], t -> t is not null)) > 0 then 'event'
            else 'unknown'
        end as shape
    from source_values
),

-- S3 log files: one record per Records element. Elements are unnested in the projection with
-- generate_subscripts: a lateral `from src, unnest(...)` join runs out of memory on a 14 MB log file.
s3_lists as (
    select
        _efid,
        _ordinal,
        _line,
        json_extract(_doc, '$.Records[*]') as elements
    from shaped
    where shape = 'records'
        and records_type = 'ARRAY'
),

s3_elements as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        rec,
        -- one parse: the element's own type, then the event keys it has
        json_type(rec, ['$', '$.eventID', '$.eventTime', '$.eventSource', '$.eventName']) as member_types
    from (
        select
            _efid,
            _ordinal,
            _line,
            unnest(elements) as rec,
            generate_subscripts(elements, 1) as idx
        from s3_lists
    )
),

s3_records as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        '/Records/' || (idx - 1) as record_path,
        's3-log-file' as delivery,
        rec,
        null::JSON as lookup_element,
        case
            when member_types[1] is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when len(list_filter(member_types[2:5], t -> t is not null)) = 0 then 'reject.unknown_shape'
        end as shape_reject
    from s3_elements
),

-- lookup-events: one record per Events element, the event inside its CloudTrailEvent string
lookup_lists as (
    select
        _efid,
        _ordinal,
        _line,
        json_extract(_doc, '$.Events[*]') as elements
    from shaped
    where shape = 'lookup'
        and events_type = 'ARRAY'
),

lookup_elements as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        el,
        json_type(el) as el_type,
        json_type(el -> 'CloudTrailEvent') as inner_type,
        el ->> 'CloudTrailEvent' as inner_text
    from (
        select
            _efid,
            _ordinal,
            _line,
            unnest(elements) as el,
            generate_subscripts(elements, 1) as idx
        from lookup_lists
    )
),

lookup_records as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        '/Events/' || (idx - 1) as record_path,
        'lookup-events' as delivery,
        case
            when inner_type = 'OBJECT' then el -> 'CloudTrailEvent'
            when inner_type = 'VARCHAR' and json_valid(inner_text) and json_type(json(inner_text)) = 'OBJECT'
                then json(inner_text)
        end as rec,
        case when el_type = 'OBJECT' then el end as lookup_element,
        case
            when el_type is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when inner_type = 'VARCHAR' and not json_valid(inner_text) then 'reject.invalid_json'
            -- an embedded event that is not an object never becomes a record of the outer fields alone
            when inner_type = 'VARCHAR' and json_type(json(inner_text)) is distinct from 'OBJECT' then 'reject.not_an_object'
            when inner_type not in ('VARCHAR', 'OBJECT', 'NULL') then 'reject.not_an_object'
            when not (json_exists(el, '$.EventId') or json_exists(el, '$.CloudTrailEvent')) then 'reject.unknown_shape'
        end as shape_reject
    from lookup_elements
),

-- EventBridge: the event under "detail"
eventbridge_records as (
    select
        _efid,
        _ordinal,
        _line,
        null::BIGINT as idx,
        pt_row_id(_efid, _ordinal) as row_id,
        case when coalesce(_doc ->> 'detail-type', '') like '% via CloudTrail' then '/detail' else '' end as record_path,
        'eventbridge' as delivery,
        _doc -> 'detail' as rec,
        null::JSON as lookup_element,
        case
            when coalesce(_doc ->> 'detail-type', '') not like '% via CloudTrail' then 'reject.unknown_shape'
            when not pt_cloudtrail_is_event(_doc -> 'detail') then 'reject.unknown_shape'
        end as shape_reject
    from shaped
    where shape = 'eventbridge'
),

-- a JSON array as one value (a one-line array of events): each element is a record of its own
array_elements as (
    select
        _efid,
        _ordinal,
        _line,
        unnest(elements) as rec,
        generate_subscripts(elements, 1) as idx
    from (select _efid, _ordinal, _line, json_extract(_doc, '$[*]') as elements from shaped where shape = 'array')
),

array_records as (
    select
        _efid,
        _ordinal,
        _line,
        idx,
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        '/' || (idx - 1) as record_path,
        'single-event' as delivery,
        rec,
        null::JSON as lookup_element,
        case
            when json_type(rec) is distinct from 'OBJECT' then 'reject.not_an_object'
            when not pt_cloudtrail_is_event(rec) then 'reject.unknown_shape'
        end as shape_reject
    from array_elements
),

-- bare events: a document, a line, or an element of a top-level array
single_records as (
    select
        _efid,
        _ordinal,
        _line,
        null::BIGINT as idx,
        pt_row_id(_efid, _ordinal) as row_id,
        '' as record_path,
        case when _line is not null and last_ordinal > 1 then 'event-lines' else 'single-event' end as delivery,
        _doc as rec,
        null::JSON as lookup_element,
        null::VARCHAR as shape_reject
    from shaped
    where shape = 'event'
),

-- values that are no record at all, or an envelope whose list is not an array
value_rejects as (
    select
        _efid,
        _ordinal,
        _line,
        null::BIGINT as idx,
        pt_row_id(_efid, _ordinal) as row_id,
        case
            when shape = 'records' then '/Records'
            when shape = 'lookup' then '/Events'
            else ''
        end as record_path,
        null::VARCHAR as delivery,
        null::JSON as rec,
        null::JSON as lookup_element,
        case
            when shape = 'not_an_object' then 'reject.not_an_object'
            when shape in ('records', 'lookup') then 'reject.invalid_envelope'
            else 'reject.unknown_shape'
        end as shape_reject
    from shaped
    where shape in ('not_an_object', 'unknown')
        or (shape = 'records' and records_type is distinct from 'ARRAY')
        or (shape = 'lookup' and events_type is distinct from 'ARRAY')
),

records as (
    select * from s3_records
    union all by name
    select * from lookup_records
    union all by name
    select * from eventbridge_records
    union all by name
    select * from single_records
    union all by name
    select * from array_records
    union all by name
    select * from value_rejects
),

parsed as materialized (
    select
        *,
        case when shape_reject is null then pt_cloudtrail_fields(rec) end as ev,
        case when shape_reject is null then pt_cloudtrail_lookup_fields(lookup_element) end as lk,
        -- the JSON types of the ids: a number or an object would land as its text
        case when shape_reject is null then json_type(rec, '$.eventID') end as event_id_type,
        case when shape_reject is null then json_type(lookup_element, '$.EventId') end as lookup_id_type
    from records
),

normalized as (
    select
        -- ids
        row_id,
        split_part(row_id, '-', 1) as evidence_file_id,
        _line as line,
        record_path,
        coalesce(nullif(ev.eventID, ''), nullif(lk.EventId, '')) as event_id,
        'aws' as provider,
        -- timestamps (UTC)
        pt_ts(coalesce(nullif(ev.eventTime, ''), nullif(lk.EventTime, ''))) as ts,
        coalesce(nullif(ev.eventTime, ''), nullif(lk.EventTime, '')) as ts_raw,
        -- dimensions
        delivery,
        coalesce(ev.eventSource, lk.EventSource) as event_source,
        coalesce(ev.eventName, lk.EventName) as event_name,
        ev.eventType as event_type,
        ev.awsRegion as aws_region,
        try_cast(coalesce(ev.readOnly, lk.ReadOnly) as BOOLEAN) as read_only,
        ev.errorCode as error_code,
        ev.errorMessage as error_message,
        case
            when nullif(ev.eventCategory, '') is not null then lower(ev.eventCategory)
            when ev.eventType = 'AwsCloudTrailInsight' then 'insight'
            when try_cast(ev.managementEvent as BOOLEAN) = false then 'data'
            else 'management'
        end as event_category,
        -- principal
        ev.userIdentity.type as principal_type,
        ev.userIdentity.arn as principal_arn,
        ev.userIdentity.principalId as principal_id,
        coalesce(nullif(ev.userIdentity.accountId, ''), ev.recipientAccountId) as account_id,
        coalesce(
            ev.userIdentity.userName,
            case when ev.userIdentity.type is distinct from 'AssumedRole' then nullif(lk.Username, '') end
        ) as user_name,
        ev.userIdentity.invokedBy as invoked_by,
        coalesce(nullif(ev.userIdentity.accessKeyId, ''), nullif(lk.AccessKeyId, '')) as access_key_id,
        coalesce(
            nullif(regexp_extract(ev.userIdentity.arn, '^arn:[^:]+:sts::[^:]*:assumed-role/.+/([^/]+)$', 1), ''),
            case when ev.userIdentity.type = 'AssumedRole' then nullif(regexp_extract(ev.userIdentity.principalId, ':(.+)$', 1), '') end,
            case when ev.userIdentity.type = 'AssumedRole' then nullif(lk.Username, '') end
        ) as session_name,
        ev.userIdentity.sessionContext.sessionIssuer.arn as session_issuer_arn,
        pt_ts_sts(ev.userIdentity.sessionContext.attributes.creationDate) as session_created_at,
        coalesce(
            nullif(ev.userIdentity.identityProvider, ''),
            nullif(ev.userIdentity.sessionContext.webIdFederationData.federatedProvider, ''),
            case when ev.eventName = 'AssumeRoleWithWebIdentity' then nullif(ev.responseElements ->> 'provider', '') end
        ) as web_identity_provider,
        coalesce(
            case when ev.userIdentity.type = 'WebIdentityUser' then nullif(ev.userIdentity.userName, '') end,
            nullif(ev.responseElements ->> 'subjectFromWebIdentityToken', ''),
            nullif(regexp_extract(ev.userIdentity.principalId, ':(system:serviceaccount:[^:]+:[^:]+)$', 1), '')
        ) as web_identity_subject,
        ev.userIdentity.sessionContext.ec2RoleDelivery as ec2_role_delivery,
        -- network
        pt_ip_norm(ev.sourceIPAddress) as source_ip,
        coalesce(nullif(ev.vpcEndpointId, ''), nullif(ev.additionalEventData ->> 'vpcEndpointId', '')) as vpc_endpoint_id,
        ev.userAgent as user_agent,
        ev.tlsDetails.clientProvidedHostHeader as tls_host,
        ev.requestID as request_id,
        ev.sharedEventID as shared_event_id,
        -- credentials issued by this call
        coalesce(
            nullif(json_extract_string(ev.responseElements, '$.credentials.accessKeyId'), ''),
            nullif(json_extract_string(ev.responseElements, '$.accessKey.accessKeyId'), '')
        ) as issued_access_key_id,
        ev.requestParameters ->> 'roleArn' as issued_role_arn,
        json_extract_string(ev.responseElements, '$.assumedRoleUser.arn') as issued_session_arn,
        ev.requestParameters ->> 'roleSessionName' as issued_session_name,
        pt_ts_sts(json_extract_string(ev.responseElements, '$.credentials.expiration')) as issued_expires_at,
        pt_cloudtrail_tags(ev.requestParameters -> 'tags') as session_tags,
        -- documents, secrets redacted
        pt_redact_json(ev.requestParameters) as request_parameters,
        pt_redact_json(ev.responseElements) as response_elements,
        pt_redact_json(
            case
                when coalesce(json_type(ev.resources) = 'ARRAY' and json_array_length(ev.resources) = 0, true)
                    then coalesce(lk.Resources, ev.resources)
                else ev.resources
            end
        ) as resources,
        pt_redact_json(ev.additionalEventData) as additional_event_data,
        -- disposition inputs
        _efid,
        _ordinal,
        idx,
        shape_reject,
        case
            when event_id_type is not null and event_id_type not in ('VARCHAR', 'NULL') then true
            when coalesce(event_id_type, 'NULL') = 'NULL' and lookup_id_type is not null and lookup_id_type not in ('VARCHAR', 'NULL') then true
            else false
        end as id_not_text
    from parsed
),

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
