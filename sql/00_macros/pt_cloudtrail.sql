-- CloudTrail helpers for sql/land/cloudtrail.sql.
-- This file is applied before pt_common.sql and pt_redact.sql (lexical order) and DuckDB binds a
-- macro body when it is created, so these macros use built-in functions only.

-- True when a JSON value is an object carrying at least one key every CloudTrail event record has
-- (a record without eventID or eventTime is still recognised, so it can be rejected with that reason).
create or replace macro pt_cloudtrail_is_event(doc) as
    coalesce(
        json_type(doc) = 'OBJECT'
        and (
            json_exists(doc, '$.eventID')
            or json_exists(doc, '$.eventTime')
            or json_exists(doc, '$.eventSource')
            or json_exists(doc, '$.eventName')
        ),
        false
    );

-- The fields of a CloudTrail event record podtrail reads, parsed once. from_json is lenient: a
-- leaf of another JSON type becomes its JSON text (readOnly true -> 'true'), a mismatched object
-- becomes NULL fields, a JSON null becomes NULL; it never raises.
create or replace macro pt_cloudtrail_fields(rec) as
    from_json(rec, '{
        "eventVersion": "VARCHAR",
        "eventID": "VARCHAR",
        "eventTime": "VARCHAR",
        "eventSource": "VARCHAR",
        "eventName": "VARCHAR",
        "eventType": "VARCHAR",
        "awsRegion": "VARCHAR",
        "readOnly": "VARCHAR",
        "errorCode": "VARCHAR",
        "errorMessage": "VARCHAR",
        "eventCategory": "VARCHAR",
        "managementEvent": "VARCHAR",
        "recipientAccountId": "VARCHAR",
        "sourceIPAddress": "VARCHAR",
        "vpcEndpointId": "VARCHAR",
        "userAgent": "VARCHAR",
        "requestID": "VARCHAR",
        "sharedEventID": "VARCHAR",
        "userIdentity": {
            "type": "VARCHAR",
            "arn": "VARCHAR",
            "principalId": "VARCHAR",
            "accountId": "VARCHAR",
            "userName": "VARCHAR",
            "invokedBy": "VARCHAR",
            "accessKeyId": "VARCHAR",
            "identityProvider": "VARCHAR",
            "sessionContext": {
                "sessionIssuer": {"arn": "VARCHAR"},
                "attributes": {"creationDate": "VARCHAR"},
                "webIdFederationData": {"federatedProvider": "VARCHAR"},
                "ec2RoleDelivery": "VARCHAR"
            }
        },
        "tlsDetails": {"clientProvidedHostHeader": "VARCHAR"},
        "requestParameters": "JSON",
        "responseElements": "JSON",
        "additionalEventData": "JSON",
        "resources": "JSON"
    }');

-- The outer fields of one `aws cloudtrail lookup-events` element (CloudTrailEvent is read apart).
create or replace macro pt_cloudtrail_lookup_fields(el) as
    from_json(el, '{
        "EventId": "VARCHAR",
        "EventName": "VARCHAR",
        "EventTime": "VARCHAR",
        "EventSource": "VARCHAR",
        "ReadOnly": "VARCHAR",
        "AccessKeyId": "VARCHAR",
        "Username": "VARCHAR",
        "Resources": "JSON"
    }');

-- A list of {key, value} entries as a MAP: entries without a key are dropped and the first entry
-- of a repeated key wins (a MAP cannot hold a key twice, and one odd record must not fail a file).
create or replace macro pt_cloudtrail_entries_map(entries) as
    map_from_entries(list_filter(
        entries,
        (e, i) -> e.key is not null and list_position(list_transform(entries, x -> x.key), e.key) = i
    ));

-- requestParameters.tags ([{"key": ..., "value": ...}], also written Key/Value) as MAP(VARCHAR, VARCHAR);
-- NULL when there is no tag list.
create or replace macro pt_cloudtrail_tags(tags) as
    case
        when json_type(tags) = 'ARRAY' then pt_cloudtrail_entries_map(list_transform(
            json_extract(tags, '$[*]'),
            t -> {
                'key': coalesce(t ->> 'key', t ->> 'Key'),
                'value': coalesce(t ->> 'value', t ->> 'Value')
            }
        ))
    end;
