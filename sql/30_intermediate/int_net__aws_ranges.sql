-- AWS's address ranges of the latest publication acquired (aws_ip_ranges, the greatest syncToken):
-- one row per prefix, with its first and last IPv4 address as integers, and its length and network
-- number (the address divided by the block size) for an equality join per prefix length. service_code is the
-- published code; names_service the CloudTrail eventSource a code names: only S3 and DYNAMODB do
-- (AMAZON and EC2 cover every service, and EC2 other customers' instances too).
create or replace view int_net__aws_ranges as

with

ranges as (
    select * from aws_ip_ranges
),

latest as (
    select sync_token from ranges
    order by try_cast(sync_token as BIGINT) desc nulls last, sync_token desc
    limit 1
),

final as (
    select
        r.cidr,
        r.family,
        r.region,
        r.service as service_code,
        case r.service when 'S3' then 's3.amazonaws.com' when 'DYNAMODB' then 'dynamodb.amazonaws.com' end as names_service,
        r.sync_token,
        r.published_at,
        r.evidence_file_id,
        split_part(r.cidr, '/', 2)::INTEGER as prefix_len,
        pt_ipv4_int(split_part(r.cidr, '/', 1)) // (2 ** (32 - split_part(r.cidr, '/', 2)::INTEGER))::BIGINT as net,
        pt_ipv4_int(split_part(r.cidr, '/', 1)) // (2 ** (32 - split_part(r.cidr, '/', 2)::INTEGER))::BIGINT
            * (2 ** (32 - split_part(r.cidr, '/', 2)::INTEGER))::BIGINT as lo,
        pt_ipv4_int(split_part(r.cidr, '/', 1)) // (2 ** (32 - split_part(r.cidr, '/', 2)::INTEGER))::BIGINT
            * (2 ** (32 - split_part(r.cidr, '/', 2)::INTEGER))::BIGINT + (2 ** (32 - split_part(r.cidr, '/', 2)::INTEGER))::BIGINT - 1 as hi
    from ranges as r
    inner join latest as l on l.sync_token = r.sync_token
    where r.family = 4
)

select * from final
