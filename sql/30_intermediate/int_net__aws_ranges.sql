-- AWS's address ranges of the latest publication acquired (aws_ip_ranges, the greatest syncToken):
-- one row per prefix (IPv4 and IPv6), with its first and last address in pt_ip_int's space, and its
-- length in that space (an IPv4 /n is /n+96) and network number (the address shifted right by the
-- host bits) for an equality join per prefix length. service_code is the
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
        pt_cidr_bits(r.cidr) as prefix_len,
        pt_cidr_lo(r.cidr) >> (128 - pt_cidr_bits(r.cidr))::UHUGEINT as net,
        pt_cidr_lo(r.cidr) as lo,
        pt_cidr_hi(r.cidr) as hi
    from ranges as r
    inner join latest as l on l.sync_token = r.sync_token
)

select * from final
