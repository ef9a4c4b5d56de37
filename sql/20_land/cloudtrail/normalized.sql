-- The cloud_events columns of each record, and what its disposition depends on.
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
