-- Helpers for the AWS inventory (land SQL and correlation views).

-- An AWS time as the CLI prints it (ISO 8601) or as REST-JSON sends it (epoch seconds).
create or replace macro pt_aws_ts(text) as
    coalesce(pt_ts(text), to_timestamp(try_cast(text as DOUBLE))::TIMESTAMP);

-- The CloudTrail eventSource a VPC endpoint's service name serves (com.amazonaws.us-east-1.sts ->
-- sts.amazonaws.com; ecr.api and ecr.dkr -> ecr.amazonaws.com); NULL for other providers' services.
create or replace macro pt_vpce_event_source(service_name) as
    case
        when service_name like 'com.amazonaws.%' then
            split_part(regexp_replace(service_name, '^com\.amazonaws\.[a-z0-9-]+\.', ''), '.', 1) || '.amazonaws.com'
    end;

-- Elements of a JSON array at `key` of a document, numbered from 1 (an absent key: none).
create or replace macro pt_json_list(doc, key) as
    coalesce(json_extract(doc, '$.' || key || '[*]'), []::JSON[]);
