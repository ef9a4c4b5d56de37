-- Kubernetes API audit events -> kube_audit_events.
-- Reads relation `src` (doc mode: _ordinal, _line, _path, _doc JSON: one value per line or
-- document); params: _efid, $window_lo, $window_hi (UTC text).
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
--   * name: objectRef.name, else (a create with generateName, whose objectRef has no name) the
--     responseObject's metadata.name.
--   * pod_service_account (pods, no subresource): spec.serviceAccountName of the request object,
--     else of the response object (RequestResponse level). pod_node_name: the binding's target
--     (pods/binding, the scheduler's), else spec.nodeName of the pod as created.
--   * empty strings in objectRef fields (apiGroup "" for the core group) are NULL.
-- Redaction: requestObject and responseObject (which can hold Secret data or a TokenRequest's
-- token) are never landed. request_uri: values of query parameters named like a secret (password,
-- token, secret, api key, ...) are replaced by pt_redact_values markers; when an exec command needed
-- redaction its command= values in request_uri become [REDACTED] (exec_command keeps the marked command).
-- Plan: one pass, every CTE read once (a CTE read twice would be materialized with its JSON), and
-- each record parsed a handful of times (json_extract with a list of paths) rather than once per
-- column, so a RequestResponse event with a large responseObject costs little more than a small one.
-- Dispositions: no auditID (nor GKE insertId) -> reject.missing_id; none of the timestamps ->
-- reject.missing_timestamp; a timestamp present but unparsable -> reject.invalid_timestamp;
-- request_received_at outside the window -> out_of_window; a wrapper whose message / properties.log
-- string is not JSON -> reject.invalid_json; anything else that is not an audit event nor a known
-- wrapper -> reject.unknown_shape; CONTROL_MESSAGE -> reject.control_message.

with

source_values as (
    select
        _efid,
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
            when (env[1] ->> '$') = 'CONTROL_MESSAGE' then null
            when json_type(env[2]) = 'ARRAY' then 'logEvents'
            when json_type(env[3]) = 'ARRAY' then 'events'
            when json_type(env[4]) = 'ARRAY' then 'records'
        end as envelope_key
    from (
        select
            *,
            json_extract(_doc, ['$.messageType', '$.logEvents', '$.events', '$.records']) as env
        from source_values
    )
),

-- one row per record: the value itself, or each element of its envelope (none for an empty list).
-- Select-list unnest streams; a lateral unnest ... with ordinality would be decorrelated into a
-- hash join on the whole documents (everything held in memory).
element_lists as (
    select
        _efid,
        _ordinal,
        _line,
        _path,
        envelope_key,
        case envelope_key
            when 'array' then json_extract(_doc, '$[*]')
            when 'logEvents' then json_extract(env[2], '$[*]')
            when 'events' then json_extract(env[3], '$[*]')
            when 'records' then json_extract(env[4], '$[*]')
            else [_doc]
        end as elements
    from envelopes
),

records as (
    select
        _efid,
        _ordinal,
        _line,
        case
            when envelope_key is null then _path
            when envelope_key = 'array' then _path || '/' || (idx - 1)::VARCHAR
            else _path || '/' || envelope_key || '/' || (idx - 1)::VARCHAR
        end as record_path,
        case when envelope_key is not null then idx end as element_idx,
        envelope_key,
        rec
    from (
        select
            _efid,
            _ordinal,
            _line,
            _path,
            envelope_key,
            unnest(elements) as rec,
            unnest(range(1, len(elements) + 1)) as idx
        from element_lists
    )
),

-- what each record is
classified as (
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
),

-- GKE: resourceName <group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
gke_parsed as (
    select
        *,
        case when wrapper = 'gke' then regexp_extract(
            g[5],
            '^([^/]+)/([^/]+)/namespaces/([^/]+)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$',
            ['api_group', 'api_version', 'namespace', 'resource', 'name', 'subresource']
        ) end as rn_ns,
        case when wrapper = 'gke' then regexp_extract(
            g[5],
            '^([^/]+)/(v[0-9][a-z0-9]*)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$',
            ['api_group', 'api_version', 'resource', 'name', 'subresource']
        ) end as rn_cluster
    from classified
),

-- the audit event inside each record (GKE entries are mapped onto the same shape)
unwrapped as (
    select
        _efid,
        _ordinal,
        _line,
        record_path,
        element_idx,
        wrapper,
        is_control,
        aks_category,
        inner_text,
        case
            when wrapper = 'raw' then rec
            when wrapper = 'aks' and inner_object is not null then inner_object
            when wrapper in ('eks-cloudwatch', 'aks') then try_cast(inner_text as JSON)
            when wrapper = 'gke' then json_object(
                'auditID', coalesce(nullif(g[3], ''), g[1]),
                'stage', 'ResponseComplete',
                'verb', nullif(regexp_extract(g[4], '\.([^.]+)$', 1), ''),
                'objectRef', case when rn_ns.resource <> '' then json_object(
                    'apiGroup', nullif(rn_ns.api_group, 'core'),
                    'namespace', rn_ns.namespace,
                    'resource', rn_ns.resource,
                    'name', rn_ns.name,
                    'subresource', rn_ns.subresource
                ) else json_object(
                    'apiGroup', nullif(rn_cluster.api_group, 'core'),
                    'resource', rn_cluster.resource,
                    'name', rn_cluster.name,
                    'subresource', rn_cluster.subresource
                ) end,
                'user', json_object('username', g[6]),
                'sourceIPs', case when g[7] is not null then json_array(g[7]) end,
                'userAgent', g[8],
                'responseStatus', json_object(
                    'code', case when g[11] = 'Status' or g[12] like '%.Status' then g[13] end
                ),
                'annotations', gj[1],
                'requestReceivedTimestamp', g[2],
                'stageTimestamp', g[2],
                'requestObject', json_object('metadata', json_object('uid', g[9]), 'spec', json_object('boundObjectRef', gj[2])),
                'responseObject', json_object('metadata', json_object('uid', g[10]))
            )
        end as ev
    from gke_parsed
),

extracted as (
    select
        *,
        json_extract_string(ev, [
            '$.auditID', '$.stage', '$.level', '$.verb', '$.requestURI', '$.impersonatedUser.username',
            '$.userAgent', '$.responseStatus.code', '$.requestReceivedTimestamp', '$.stageTimestamp',
            '$.timestamp', '$.requestObject.metadata.uid', '$.responseObject.metadata.uid', '$.apiVersion',
            '$.responseObject.metadata.name', '$.requestObject.spec.serviceAccountName', '$.responseObject.spec.serviceAccountName',
            '$.requestObject.target.name', '$.requestObject.target.kind', '$.responseObject.spec.nodeName', '$.requestObject.spec.nodeName'
        ]) as s,
        json_extract(ev, [
            '$.objectRef', '$.user', '$.sourceIPs', '$.annotations', '$.requestObject.spec.boundObjectRef'
        ]) as j
    from unwrapped
),

events as (
    select
        _efid,
        _ordinal,
        _line,
        record_path,
        element_idx,
        wrapper,
        case
            when wrapper is null then 'unknown_shape'
            when is_control then 'control_message'
            when wrapper = 'eks-cloudwatch' and inner_text is null then 'unknown_shape'
            when wrapper = 'aks' and aks_category not in ('kube-audit', 'kube-audit-admin') then 'unknown_shape'
            when inner_text is not null and ev is null then 'invalid_json'
            -- an audit event: v1 (apiVersion), or the older shape (auditID, or a stage with a verb or URI)
            when not coalesce(
                s[14] like 'audit.k8s.io/%'
                or s[1] is not null
                or (s[2] is not null and (s[4] is not null or s[5] is not null)),
                false
            ) then 'unknown_shape'
        end as shape_problem,
        nullif(s[1], '') as audit_id,
        s[2] as stage,
        s[3] as level,
        s[4] as verb,
        s[5] as request_uri_raw,
        nullif(j[1] ->> 'resource', '') as resource,
        nullif(j[1] ->> 'subresource', '') as subresource,
        nullif(j[1] ->> 'namespace', '') as namespace,
        coalesce(nullif(j[1] ->> 'name', ''), case when s[4] = 'create' and nullif(j[1] ->> 'subresource', '') is null then nullif(s[15], '') end) as name,
        case when (j[1] ->> 'resource') = 'pods' and nullif(j[1] ->> 'subresource', '') is null
            then coalesce(nullif(s[16], ''), nullif(s[17], '')) end as pod_service_account,
        case
            when (j[1] ->> 'resource') = 'pods' and (j[1] ->> 'subresource') = 'binding' and coalesce(s[19], 'Node') = 'Node' then nullif(s[18], '')
            when (j[1] ->> 'resource') = 'pods' and nullif(j[1] ->> 'subresource', '') is null then coalesce(nullif(s[20], ''), nullif(s[21], ''))
        end as pod_node_name,
        coalesce(nullif(j[1] ->> 'uid', ''), nullif(s[12], ''), nullif(s[13], '')) as object_uid,
        nullif(j[1] ->> 'apiGroup', '') as api_group,
        j[2] ->> 'username' as user_name,
        pt_ka_string_list(j[2] -> 'groups') as user_groups,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/pod-name') as user_extra_pod_name,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/pod-uid') as user_extra_pod_uid,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/node-name') as user_extra_node_name,
        pt_ka_extra(j[2] -> 'extra', 'authentication.kubernetes.io/credential-id') as credential_id,
        s[6] as impersonated_user,
        nullif(j[4] ->> 'authentication.kubernetes.io/issued-credential-id', '') as issued_credential_id,
        case when (j[5] ->> 'kind') = 'Pod' then j[5] ->> 'name' end as bound_pod_name,
        case when (j[5] ->> 'kind') = 'Pod' then j[5] ->> 'uid' end as bound_pod_uid,
        pt_ip_norm_list(pt_ka_string_list(j[3])) as source_ips,
        s[7] as user_agent,
        try_cast(s[8] as INTEGER) as response_code,
        s[8] as response_code_raw,
        j[4] ->> 'authorization.k8s.io/decision' as decision,
        case when json_type(j[4]) = 'OBJECT' then j[4] end as annotations,
        s[9] as received_raw,
        s[10] as stage_raw,
        s[11] as legacy_raw
    from extracted
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
            when pt_has_duplicate_key($duplicate_keys, _efid, _ordinal, record_path) then 'reject.duplicate_key'
            -- a status code that is no integer (or out of range) would land as NULL
            when response_code_raw is not null and not pt_fits_integer(response_code_raw) then 'reject.invalid_value'
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
            when element_idx is null then pt_row_id(_efid, _ordinal)
            else pt_row_id_el(_efid, _ordinal, element_idx)
        end as row_id,
        split_part(row_id, '-', 1) as evidence_file_id,
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
        pod_service_account,
        pod_node_name,
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
