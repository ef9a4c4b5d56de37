-- Kubernetes API audit events -> kube_audit_events.
-- Reads relation `src` (doc mode: _ordinal, _line, _path, _doc JSON: one value per line or
-- document); params: $evidence_file_id, $window_lo, $window_hi (UTC text).
-- Ends with _disposition: landed | out_of_window | reject.<reason>.
--
-- Accepted values (each line or top-level value is classified on its own, so files may mix them):
--   raw            an audit.k8s.io/v1 Event; also the older v1beta1-era shape (no apiVersion,
--                  extra `timestamp` and metadata.creationTimestamp). Record = the value (record_path "").
--   eks-cloudwatch `aws logs filter-log-events` output {"events":[{"logStreamName","timestamp",
--                  "message":"<audit event JSON string>",...}],"searchedLogStreams":[...]} and
--                  CloudWatch Logs subscription / Firehose payloads {"messageType":"DATA_MESSAGE",
--                  "logGroup","logStream","logEvents":[{"id","timestamp","message"}]}. Record = one
--                  element (row_id <file>-<ordinal>-<element>, record_path /events/<i> or /logEvents/<i>).
--                  An empty list holds no record. A "messageType":"CONTROL_MESSAGE" payload (the
--                  CloudWatch health check written when a subscription is created) holds no audit
--                  event: the whole payload counts as ONE record, rejected as control_message, so it is
--                  visible in ingest_rejects and the file's accounting stays exact.
--   gke            Cloud Audit Log entries of serviceName k8s.io: audit_id = protoPayload.auditID when an
--                  exporter kept one, else insertId (GKE sets operation.id = insertId; each entry is one
--                  request, logged once, so stage = ResponseComplete and is_final_stage = true);
--                  verb = last part of methodName (io.k8s.core.v1.pods.exec.create -> create);
--                  api_group/resource/namespace/name/subresource from resourceName
--                  (<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]], group
--                  "core" -> NULL as in raw events); user_name = authenticationInfo.principalEmail;
--                  source_ips = [requestMetadata.callerIp]; user_agent = callerSuppliedUserAgent;
--                  annotations = the entry's labels (GKE writes the audit annotations there), decision
--                  = labels["authorization.k8s.io/decision"]; request_received_at = stage_at =
--                  timestamp; response_code = protoPayload.response.code only when the response is a
--                  k8s Status (protoPayload.status.code is a google.rpc code, not HTTP); level,
--                  request_uri, exec_command, user_groups and user.extra are not in these entries: NULL.
--   aks            AKS diagnostic records, category kube-audit or kube-audit-admin, properties.log a
--                  JSON string or an object; one per line, or inside an Azure blob {"records":[...]}
--                  envelope (record_path /records/<i>). A record of another category (kube-apiserver,
--                  guard, ...) is not audit evidence: reject.unknown_shape.
--   A top-level JSON array of any of the records above is read element by element (record_path /<i>).
--
-- Columns: per src/lake/schema.ts. Choices:
--   * request_received_at = requestReceivedTimestamp, else `timestamp` (old shape, GKE), else
--     stageTimestamp; stage_at = stageTimestamp, else `timestamp`. Parsed with pt_ts (offsets applied,
--     microseconds kept). The window is applied to request_received_at.
--   * is_final_stage: among the LANDED rows of this file, the one row per audit_id with the highest
--     stage (Panic > ResponseComplete > ResponseStarted > RequestReceived); on a tie the last one in
--     the file (highest value ordinal, then element) wins. Other dispositions: NULL (not landed).
--   * exec_command (subresource exec or attach): the command= query parameters of requestURI,
--     URL-decoded like Go's url.ParseQuery ('+' = space), joined by single spaces, redacted with
--     pt_redact_args; exec_container = the first container= parameter.
--   * user_extra_* and credential_id: first element of the user.extra arrays. bound_pod_*: from
--     requestObject.spec.boundObjectRef when its kind is Pod (Request level and above).
--   * object_uid: objectRef.uid, else requestObject.metadata.uid, else responseObject.metadata.uid.
--   * empty strings in objectRef fields (apiGroup "" for the core group) are NULL.
-- Redaction: requestObject and responseObject (which can hold Secret data or a TokenRequest's
-- token) are never landed. request_uri: values of query parameters named like a secret (password,
-- token, secret, api key, ...) are replaced by pt_redact_values markers; when an exec command needed
-- redaction its command= values in request_uri become [REDACTED] (exec_command keeps the marked command).
-- Dispositions: no auditID (nor GKE insertId) -> reject.missing_id; none of the timestamps ->
-- reject.missing_timestamp; a timestamp present but unparsable -> reject.invalid_timestamp;
-- request_received_at outside the window -> out_of_window; a wrapper whose message / properties.log
-- string is not JSON -> reject.invalid_json; anything else that is not an audit event nor a known
-- wrapper -> reject.unknown_shape; CONTROL_MESSAGE -> reject.control_message.

with

source_values as (
    select
        _ordinal,
        _line,
        _path,
        _doc
    from src
),

-- envelopes: which list inside the value holds the records (NULL when the value is the record)
envelopes as (
    select
        *,
        case
            when json_type(_doc) = 'ARRAY' then 'array'
            when json_type(_doc) <> 'OBJECT' then null
            when (_doc ->> 'messageType') = 'CONTROL_MESSAGE' then null
            when json_type(_doc -> 'logEvents') = 'ARRAY' then 'logEvents'
            when json_type(_doc -> 'events') = 'ARRAY' then 'events'
            when json_type(_doc -> 'records') = 'ARRAY' then 'records'
        end as envelope_key
    from source_values
),

single_records as (
    select
        _ordinal,
        _line,
        _path as record_path,
        null::BIGINT as element_idx,
        null::VARCHAR as envelope_key,
        _doc as rec
    from envelopes
    where envelope_key is null
),

element_records as (
    select
        e._ordinal,
        e._line,
        e._path || case when e.envelope_key = 'array' then '' else '/' || e.envelope_key end
            || '/' || (el.idx - 1)::VARCHAR as record_path,
        el.idx::BIGINT as element_idx,
        e.envelope_key,
        el.element as rec
    from envelopes as e,
        unnest(
            case e.envelope_key
                when 'array' then json_extract(e._doc, '$[*]')
                when 'logEvents' then json_extract(e._doc, '$.logEvents[*]')
                when 'events' then json_extract(e._doc, '$.events[*]')
                when 'records' then json_extract(e._doc, '$.records[*]')
            end
        ) with ordinality as el(element, idx)
    where e.envelope_key is not null
),

records as (
    select * from single_records
    union all
    select * from element_records
),

-- what each record is, and the audit event inside it
classified as (
    select
        *,
        case
            when envelope_key in ('logEvents', 'events') then 'eks-cloudwatch'
            when json_type(rec) <> 'OBJECT' then null
            when (rec ->> 'messageType') = 'CONTROL_MESSAGE' then 'eks-cloudwatch'
            when (rec -> 'protoPayload' ->> 'serviceName') = 'k8s.io' then 'gke'
            when json_type(rec -> 'properties') = 'OBJECT' and (rec ->> 'category') is not null then 'aks'
            when pt_ka_is_event(rec) then 'raw'
        end as wrapper,
        case
            when envelope_key in ('logEvents', 'events') then
                case when json_type(rec -> 'message') = 'VARCHAR' then rec ->> 'message' end
            when json_type(rec -> 'properties' -> 'log') = 'VARCHAR' then rec -> 'properties' ->> 'log'
        end as inner_text
    from records
),

unwrapped as (
    select
        *,
        case
            when wrapper = 'raw' then rec
            when wrapper = 'eks-cloudwatch' then try_cast(inner_text as JSON)
            when wrapper = 'aks' and inner_text is not null then try_cast(inner_text as JSON)
            when wrapper = 'aks' then rec -> 'properties' -> 'log'
        end as ev,
        case
            when wrapper is null then 'unknown_shape'
            when wrapper = 'eks-cloudwatch' and (rec ->> 'messageType') = 'CONTROL_MESSAGE' then 'control_message'
            when wrapper = 'eks-cloudwatch' and inner_text is null then 'unknown_shape'
            when wrapper = 'aks' and (rec ->> 'category') not in ('kube-audit', 'kube-audit-admin') then 'unknown_shape'
            when inner_text is not null and try_cast(inner_text as JSON) is null then 'invalid_json'
            when wrapper = 'gke' then null
            when not pt_ka_is_event(
                case
                    when wrapper = 'raw' then rec
                    when inner_text is not null then try_cast(inner_text as JSON)
                    else rec -> 'properties' -> 'log'
                end
            ) then 'unknown_shape'
        end as shape_problem
    from classified
),

-- raw events, and the events inside the EKS and AKS wrappers
audit_events as (
    select
        _ordinal,
        _line,
        record_path,
        element_idx,
        wrapper,
        shape_problem,
        nullif(ev ->> 'auditID', '') as audit_id,
        ev ->> 'stage' as stage,
        ev ->> 'level' as level,
        ev ->> 'verb' as verb,
        ev ->> 'requestURI' as request_uri_raw,
        nullif(ev -> 'objectRef' ->> 'resource', '') as resource,
        nullif(ev -> 'objectRef' ->> 'subresource', '') as subresource,
        nullif(ev -> 'objectRef' ->> 'namespace', '') as namespace,
        nullif(ev -> 'objectRef' ->> 'name', '') as name,
        coalesce(
            nullif(ev -> 'objectRef' ->> 'uid', ''),
            nullif(ev -> 'requestObject' -> 'metadata' ->> 'uid', ''),
            nullif(ev -> 'responseObject' -> 'metadata' ->> 'uid', '')
        ) as object_uid,
        nullif(ev -> 'objectRef' ->> 'apiGroup', '') as api_group,
        ev -> 'user' ->> 'username' as user_name,
        pt_ka_string_list(ev -> 'user' -> 'groups') as user_groups,
        pt_ka_extra(ev, 'authentication.kubernetes.io/pod-name') as user_extra_pod_name,
        pt_ka_extra(ev, 'authentication.kubernetes.io/pod-uid') as user_extra_pod_uid,
        pt_ka_extra(ev, 'authentication.kubernetes.io/node-name') as user_extra_node_name,
        pt_ka_extra(ev, 'authentication.kubernetes.io/credential-id') as credential_id,
        ev -> 'impersonatedUser' ->> 'username' as impersonated_user,
        nullif(ev -> 'annotations' ->> 'authentication.kubernetes.io/issued-credential-id', '') as issued_credential_id,
        case
            when (ev -> 'requestObject' -> 'spec' -> 'boundObjectRef' ->> 'kind') = 'Pod'
                then ev -> 'requestObject' -> 'spec' -> 'boundObjectRef' ->> 'name'
        end as bound_pod_name,
        case
            when (ev -> 'requestObject' -> 'spec' -> 'boundObjectRef' ->> 'kind') = 'Pod'
                then ev -> 'requestObject' -> 'spec' -> 'boundObjectRef' ->> 'uid'
        end as bound_pod_uid,
        pt_ka_string_list(ev -> 'sourceIPs') as source_ips,
        ev ->> 'userAgent' as user_agent,
        try_cast(ev -> 'responseStatus' ->> 'code' as INTEGER) as response_code,
        ev -> 'annotations' ->> 'authorization.k8s.io/decision' as decision,
        case when json_type(ev -> 'annotations') = 'OBJECT' then ev -> 'annotations' end as annotations,
        ev ->> 'requestReceivedTimestamp' as received_raw,
        ev ->> 'stageTimestamp' as stage_raw,
        ev ->> 'timestamp' as legacy_raw
    from unwrapped
    where wrapper is distinct from 'gke'
),

-- GKE Cloud Audit Log entries (serviceName k8s.io)
gke_entries as (
    select
        *,
        rec -> 'protoPayload' as pp,
        regexp_extract(
            rec -> 'protoPayload' ->> 'resourceName',
            '^([^/]+)/([^/]+)/namespaces/([^/]+)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$',
            ['api_group', 'api_version', 'namespace', 'resource', 'name', 'subresource']
        ) as namespaced,
        regexp_extract(
            rec -> 'protoPayload' ->> 'resourceName',
            '^([^/]+)/(v[0-9][a-z0-9]*)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$',
            ['api_group', 'api_version', 'resource', 'name', 'subresource']
        ) as cluster_scoped
    from unwrapped
    where wrapper = 'gke'
),

gke_events as (
    select
        _ordinal,
        _line,
        record_path,
        element_idx,
        wrapper,
        shape_problem,
        coalesce(nullif(pp ->> 'auditID', ''), nullif(rec ->> 'insertId', '')) as audit_id,
        'ResponseComplete' as stage,
        null::VARCHAR as level,
        nullif(regexp_extract(pp ->> 'methodName', '\.([^.]+)$', 1), '') as verb,
        null::VARCHAR as request_uri_raw,
        nullif(case when namespaced.resource <> '' then namespaced.resource else cluster_scoped.resource end, '') as resource,
        nullif(case when namespaced.resource <> '' then namespaced.subresource else cluster_scoped.subresource end, '') as subresource,
        nullif(namespaced.namespace, '') as namespace,
        nullif(case when namespaced.resource <> '' then namespaced.name else cluster_scoped.name end, '') as name,
        coalesce(
            nullif(pp -> 'request' -> 'metadata' ->> 'uid', ''),
            nullif(pp -> 'response' -> 'metadata' ->> 'uid', '')
        ) as object_uid,
        nullif(
            nullif(case when namespaced.resource <> '' then namespaced.api_group else cluster_scoped.api_group end, ''),
            'core'
        ) as api_group,
        pp -> 'authenticationInfo' ->> 'principalEmail' as user_name,
        null::VARCHAR[] as user_groups,
        null::VARCHAR as user_extra_pod_name,
        null::VARCHAR as user_extra_pod_uid,
        null::VARCHAR as user_extra_node_name,
        null::VARCHAR as credential_id,
        null::VARCHAR as impersonated_user,
        nullif(rec -> 'labels' ->> 'authentication.kubernetes.io/issued-credential-id', '') as issued_credential_id,
        case
            when (pp -> 'request' -> 'spec' -> 'boundObjectRef' ->> 'kind') = 'Pod'
                then pp -> 'request' -> 'spec' -> 'boundObjectRef' ->> 'name'
        end as bound_pod_name,
        case
            when (pp -> 'request' -> 'spec' -> 'boundObjectRef' ->> 'kind') = 'Pod'
                then pp -> 'request' -> 'spec' -> 'boundObjectRef' ->> 'uid'
        end as bound_pod_uid,
        case when (pp -> 'requestMetadata' ->> 'callerIp') is not null then [pp -> 'requestMetadata' ->> 'callerIp'] end as source_ips,
        pp -> 'requestMetadata' ->> 'callerSuppliedUserAgent' as user_agent,
        case
            when (pp -> 'response' ->> 'kind') = 'Status' or (pp -> 'response' ->> '@type') like '%.Status'
                then try_cast(pp -> 'response' ->> 'code' as INTEGER)
        end as response_code,
        rec -> 'labels' ->> 'authorization.k8s.io/decision' as decision,
        case when json_type(rec -> 'labels') = 'OBJECT' then rec -> 'labels' end as annotations,
        rec ->> 'timestamp' as received_raw,
        rec ->> 'timestamp' as stage_raw,
        null::VARCHAR as legacy_raw
    from gke_entries
),

events as (
    select * from audit_events
    union all by name
    select * from gke_events
),

normalized as (
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
),

disposed as (
    select
        *,
        pt_redact_args(exec_command_raw) as exec_command,
        case
            when shape_problem is not null then 'reject.' || shape_problem
            when audit_id is null then 'reject.missing_id'
            when ts_missing then 'reject.missing_timestamp'
            when ts_invalid then 'reject.invalid_timestamp'
            when request_received_at < $window_lo::TIMESTAMP or request_received_at > $window_hi::TIMESTAMP then 'out_of_window'
            else 'landed'
        end as _disposition
    from normalized
),

final as (
    select
        -- ids
        case
            when element_idx is null then pt_row_id($evidence_file_id, _ordinal)
            else pt_row_id_el($evidence_file_id, _ordinal, element_idx)
        end as row_id,
        $evidence_file_id as evidence_file_id,
        _line as line,
        record_path,
        audit_id,
        stage,
        case
            when _disposition = 'landed' then row_number() over (
                partition by _disposition, audit_id
                order by pt_ka_stage_rank(stage) desc, _ordinal desc, element_idx desc nulls last
            ) = 1
        end as is_final_stage,
        level,
        wrapper,
        verb,
        -- request
        pt_redact_values(
            case
                when exec_command is distinct from exec_command_raw
                    then regexp_replace(request_uri_raw, '([?&]command=)[^&#]*', '\1[REDACTED]', 'g')
                else request_uri_raw
            end,
            regexp_extract_all(
                request_uri_raw,
                '(?i)[?&][a-z0-9_.-]*(passw(or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[a-z0-9_.-]*=([^&#]+)',
                3
            )
        ) as request_uri,
        resource,
        subresource,
        namespace,
        name,
        object_uid,
        api_group,
        -- who
        user_name,
        user_groups,
        user_extra_pod_name,
        user_extra_pod_uid,
        user_extra_node_name,
        credential_id,
        impersonated_user,
        issued_credential_id,
        bound_pod_name,
        bound_pod_uid,
        -- exec
        exec_command,
        case
            when subresource in ('exec', 'attach')
                then pt_ka_query_values(request_uri_raw, 'container')[1]
        end as exec_container,
        -- where from, outcome
        source_ips,
        user_agent,
        response_code,
        decision,
        -- timestamps (UTC)
        request_received_at,
        stage_at,
        annotations,
        _disposition
    from disposed
)

select * from final
