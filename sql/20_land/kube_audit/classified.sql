-- What each record is: its wrapper (raw, eks-cloudwatch, gke, aks), the text or object it wraps, and
-- the GKE fields read once.
select
    *,
    case
        when envelope_key in ('logEvents', 'events') then 'eks-cloudwatch'
        when json_type(rec) <> 'OBJECT' then null
        when (c[1] ->> '$') = 'CONTROL_MESSAGE' then 'eks-cloudwatch'
        when (c[2] ->> '$') = 'k8s.io' then 'gke'
        when json_type(c[4]) = 'OBJECT' and (c[3] ->> '$') is not null then 'aks'
        else 'raw'
    end as wrapper,
    (c[1] ->> '$') = 'CONTROL_MESSAGE' and envelope_key is distinct from 'logEvents'
        and envelope_key is distinct from 'events' as is_control,
    c[3] ->> '$' as aks_category,
    case
        when envelope_key in ('logEvents', 'events') then
            case when json_type(c[5]) = 'VARCHAR' then c[5] ->> '$' end
        when json_type(c[4] -> 'log') = 'VARCHAR' then c[4] ->> 'log'
    end as inner_text,
    case when json_type(c[4] -> 'log') = 'OBJECT' then c[4] -> 'log' end as inner_object,
    case
        when (c[2] ->> '$') = 'k8s.io' then json_extract_string(rec, [
            '$.insertId', '$.timestamp', '$.protoPayload.auditID', '$.protoPayload.methodName',
            '$.protoPayload.resourceName', '$.protoPayload.authenticationInfo.principalEmail',
            '$.protoPayload.requestMetadata.callerIp', '$.protoPayload.requestMetadata.callerSuppliedUserAgent',
            '$.protoPayload.request.metadata.uid', '$.protoPayload.response.metadata.uid',
            '$.protoPayload.response.kind', '$.protoPayload.response."@type"', '$.protoPayload.response.code'
        ])
    end as g,
    case when (c[2] ->> '$') = 'k8s.io' then json_extract(rec, ['$.labels', '$.protoPayload.request.spec.boundObjectRef']) end as gj
from (
    select
        *,
        json_extract(rec, ['$.messageType', '$.protoPayload.serviceName', '$.category', '$.properties', '$.message']) as c
    from records
)
