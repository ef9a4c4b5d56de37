-- Redaction (README, "Redaction"): live credentials never land in the lake. A secret value is
-- replaced by a marker carrying the first 12 hex digits of its SHA-256, so equal secrets can
-- still be matched; raw/ keeps the originals. Rule set version: redaction/v2 (v2: token headers).

create or replace macro pt_redaction_marker(v) as
    '[REDACTED sha256:' || left(sha256(v), 12) || ']';

-- Replace every value in a list of secret values inside a text.
create or replace macro pt_redact_values(text, secrets) as
    list_reduce(
        list_prepend(text, list_filter(list_distinct(secrets), s -> length(s) >= 4)),
        (acc, s) -> replace(acc, s, pt_redaction_marker(s))
    );

-- Command lines: values of options and variables whose name says password, secret, token, key, ...,
-- Authorization headers, token headers (X-aws-ec2-metadata-token, the IMDSv2 session token;
-- X-Vault-Token, X-Auth-Token, X-Api-Key, ...: a header name ending in token, secret or api key;
-- a shell variable such as $TOKEN stays readable), and passwords in URLs (scheme://user:password@host).
create or replace macro pt_redact_args(args) as
    case
        when args is null or length(args) = 0 then args
        -- one cheap test first: most command lines carry none of these words
        when not regexp_matches(args, '(?i)pass|pwd|secret|token|psk|key|credential|authorization|://[^/\s:@]+:[^@\s/]+@') then args
        else pt_redact_values(
            args,
            list_concat(
                regexp_extract_all(args, '(?i)(--?[a-z0-9_.-]*(passw(or)?d|pwd|secret|token|psk|api[_-]?key|access[_-]?key|private[_-]?key|credential)[a-z0-9_.-]*)(=|\s+)([^\s"'']+)', 5),
                regexp_extract_all(args, '(?i)\b([a-z0-9_]*(passw(or)?d|secret|token|api_?key|access_?key|private_?key)[a-z0-9_]*)=([^\s"'']+)', 4),
                regexp_extract_all(args, '(?i)authorization:\s*(bearer|basic)\s+([^\s"'']+)', 2),
                regexp_extract_all(args, '(?i)\b([a-z0-9-]*(token|secret|api-?key))\s*:\s*([^\s"''$][^\s"'']*)', 3),
                regexp_extract_all(args, '[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^@\s/]+)@', 1)
            )
        )
    end;

-- JSON documents (CloudTrail requestParameters / responseElements): string values of keys that
-- hold credentials. The key list is matched case-insensitively on the whole key name.
create or replace macro pt_redact_json(doc) as
    case
        when doc is null then doc
        else list_reduce(
            list_prepend(
                doc::VARCHAR,
                list_filter(
                    list_distinct(regexp_extract_all(
                        doc::VARCHAR,
                        '(?i)"(sessionToken|secretAccessKey|password|newPassword|oldPassword|privateKey|secretString|secretBinary|clientSecret|token|credentials?Secret|apiKey|sharedSecret|authToken|assertion|SAMLAssertion|webIdentityToken)"\s*:\s*"((?:[^"\\]|\\.)*)"',
                        2
                    )),
                    s -> length(s) >= 4 and s <> 'HIDDEN_DUE_TO_SECURITY_REASONS'
                )
            ),
            (acc, s) -> replace(acc, '"' || s || '"', '"' || pt_redaction_marker(s) || '"')
        )::JSON
    end;
