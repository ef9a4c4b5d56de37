-- Macros of the Kubernetes audit land SQL (sql/land/kube_audit.sql). Prefix pt_ka_.

-- First value of user.extra[key] (`extra` is the user.extra object): the API server writes every
-- extra as an array of strings; a plain string (hand-edited or re-serialised events) is taken as is.
-- (json_extract, not ->: `extra -> key` between two parameters would parse as a lambda.)
create or replace macro pt_ka_extra(extra, key) as
    nullif(
        coalesce(
            json_extract_string(json_extract(extra, key), '$[0]'),
            case when json_type(json_extract(extra, key)) = 'VARCHAR' then json_extract_string(extra, key) end
        ),
        ''
    );

-- Order of the audit stages: the highest one logged is the final stage of a request.
create or replace macro pt_ka_stage_rank(stage) as
    case stage
        when 'Panic' then 4
        when 'ResponseComplete' then 3
        when 'ResponseStarted' then 2
        when 'RequestReceived' then 1
        else 0
    end;

-- Values of one query parameter of a request URI, URL-decoded as Go's url.ParseQuery does
-- ('+' is a space, %XX a byte); a value that does not decode is kept as written.
create or replace macro pt_ka_query_values(uri, param) as
    list_transform(
        regexp_extract_all(
            case when strpos(uri, '?') > 0 then substr(uri, strpos(uri, '?') + 1) else '' end,
            '(?:^|&)' || param || '=([^&#]*)',
            1
        ),
        v -> coalesce(try(url_decode(replace(v, '+', ' '))), v)
    );

-- JSON array of strings to VARCHAR[]; a single string becomes a one-element list.
create or replace macro pt_ka_string_list(j) as
    case
        when json_type(j) = 'ARRAY' then try_cast(j as VARCHAR[])
        when json_type(j) = 'VARCHAR' then [j ->> '$']
    end;
