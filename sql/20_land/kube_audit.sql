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
--
-- Steps (sql/20_land/kube_audit/): envelopes, records, classified, unwrapped, events, normalized;
-- here, the disposition and the columns of each record.

with

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
