-- IP addresses in one notation, and as numbers in one space, so that comparisons hold across
-- sources: CloudTrail writes IPv6 compressed (2600:1f14:abc::5), others may write it expanded,
-- upper case, with a zone (fe80::1%eth0) or with an embedded IPv4 tail; an IPv4 address may arrive
-- IPv4-mapped (::ffff:10.0.1.5) from a dual-stack socket.
--
-- pt_ip_norm(ip): RFC 5952 text for IPv6 (lower case, no leading zeros, the longest run of two or
-- more zero groups as ::, the leftmost on a tie), the dotted address for an IPv4-mapped one; IPv4
-- and anything that is not an IPv6 address (service names such as pods.eks.amazonaws.com) as
-- written. The land SQL stores every address through it.
-- pt_ip_int(ip): the address as a UHUGEINT in IPv6's space, IPv4 at its IPv4-mapped place
-- (::ffff:0:0/96), so one BETWEEN serves both families; NULL when not an address.
-- pt_cidr_lo / pt_cidr_hi: first and last address of an address or CIDR in that space.

-- Dotted IPv4 to an integer (no range check on the octets beyond the digits), NULL otherwise.
create or replace macro pt_ip4_num(ip) as
    case
        when regexp_full_match(ip, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}') then
            split_part(ip, '.', 1)::BIGINT * 16777216
            + split_part(ip, '.', 2)::BIGINT * 65536
            + split_part(ip, '.', 3)::BIGINT * 256
            + split_part(ip, '.', 4)::BIGINT
    end;

-- Lower case, no zone, an embedded IPv4 tail rewritten as two hex groups.
create or replace macro pt_ip6_clean(pt__s) as
    case
        when regexp_matches(pt__s, ':\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$') then
            regexp_replace(pt__s, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$',
                printf('%x:%x',
                    pt_ip4_num(regexp_extract(pt__s, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$')) // 65536,
                    pt_ip4_num(regexp_extract(pt__s, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$')) % 65536))
        else pt__s
    end;

-- The eight groups as text ("::" expanded); NULL when the shape is not IPv6's.
create or replace macro pt_ip6_split(pt__s) as
    case
        when pt__s is null or not contains(pt__s, ':') or pt__s like '%::%::%' or pt__s like '%:::%' then null
        when contains(pt__s, '::') then
            (case when split_part(pt__s, '::', 1) = '' then []::VARCHAR[] else string_split(split_part(pt__s, '::', 1), ':') end)
            || list_transform(
                range(8 - len(case when split_part(pt__s, '::', 1) = '' then []::VARCHAR[] else string_split(split_part(pt__s, '::', 1), ':') end)
                         - len(case when split_part(pt__s, '::', 2) = '' then []::VARCHAR[] else string_split(split_part(pt__s, '::', 2), ':') end)),
                pt__x -> '0')
            || (case when split_part(pt__s, '::', 2) = '' then []::VARCHAR[] else string_split(split_part(pt__s, '::', 2), ':') end)
        else string_split(pt__s, ':')
    end;

-- (Macros expand inline: a value used more than once is bound once through a one-element
-- list_transform, so the expression stays small.)
create or replace macro pt_ip6_text_groups(ip) as
    list_transform([pt_ip6_clean(lower(split_part(trim(ip), '%', 1)))], pt__s -> pt_ip6_split(pt__s))[1];

-- The eight groups as integers, NULL when ip is not an IPv6 address.
create or replace macro pt_ip6_groups(ip) as
    list_transform([pt_ip6_text_groups(ip)], pt__t ->
        case
            when len(pt__t) = 8 and list_bool_and(list_transform(pt__t, pt__g -> regexp_full_match(pt__g, '[0-9a-f]{1,4}')))
                then list_transform(pt__t, pt__g -> ('0x' || pt__g)::INTEGER)
        end)[1];

-- Length of the run of zero groups starting at each group.
create or replace macro pt_ip6_zero_runs(pt__g) as
    list_transform(range(1, 9), pt__i ->
        case when pt__g[pt__i] <> 0 then 0
             else coalesce(nullif(list_position(list_transform(pt__g[pt__i:8], pt__x -> pt__x <> 0), true), 0) - 1, 9 - pt__i) end);

-- RFC 5952 text of eight groups: the longest run (m groups from position p) compressed when m >= 2.
create or replace macro pt_ip6_format(pt__g) as
    list_transform([pt_ip6_zero_runs(pt__g)], pt__r ->
        list_transform([[list_max(pt__r), list_position(pt__r, list_max(pt__r))]], pt__mp ->
            case
                when pt__mp[1] >= 2 then
                    array_to_string(list_transform(pt__g[1:pt__mp[2] - 1], pt__x -> printf('%x', pt__x)), ':')
                    || '::'
                    || array_to_string(list_transform(pt__g[pt__mp[2] + pt__mp[1]:8], pt__x -> printf('%x', pt__x)), ':')
                else array_to_string(list_transform(pt__g, pt__x -> printf('%x', pt__x)), ':')
            end)[1])[1];

create or replace macro pt_ip_norm(ip) as
    case
        when ip is null or not contains(ip, ':') then ip
        else coalesce(
            list_transform([pt_ip6_groups(ip)], pt__g ->
                case
                    when pt__g is null then null
                    when pt__g[1:6] = [0, 0, 0, 0, 0, 65535] then printf('%d.%d.%d.%d', pt__g[7] // 256, pt__g[7] % 256, pt__g[8] // 256, pt__g[8] % 256)
                    else pt_ip6_format(pt__g)
                end)[1],
            ip)
    end;

-- A list of addresses, each normalised.
create or replace macro pt_ip_norm_list(ips) as
    list_transform(ips, pt__x -> pt_ip_norm(pt__x));

create or replace macro pt_ip_int(ip) as
    case
        when ip is null then null
        when not contains(ip, ':') then 281470681743360::UHUGEINT + pt_ip4_num(ip)::UHUGEINT
        else list_transform([pt_ip6_groups(ip)], pt__g ->
            case when pt__g is not null then list_reduce(list_transform(pt__g, pt__x -> pt__x::UHUGEINT), (pt__acc, pt__x) -> (pt__acc << 16::UHUGEINT) + pt__x) end)[1]
    end;

-- Prefix length in IPv6's space (an IPv4 /n is /n+96); a bare address is a /128.
create or replace macro pt_cidr_bits(cidr) as
    case
        when pt_ip4_num(split_part(cidr, '/', 1)) is not null then 96 + coalesce(try_cast(nullif(split_part(cidr, '/', 2), '') as INTEGER), 32)
        else coalesce(try_cast(nullif(split_part(cidr, '/', 2), '') as INTEGER), 128)
    end;

create or replace macro pt_cidr_lo(cidr) as
    case when pt_cidr_bits(cidr) = 0 then 0::UHUGEINT
         else (pt_ip_int(split_part(cidr, '/', 1)) >> (128 - pt_cidr_bits(cidr))::UHUGEINT) << (128 - pt_cidr_bits(cidr))::UHUGEINT end;

create or replace macro pt_cidr_hi(cidr) as
    case when pt_cidr_bits(cidr) = 0 then 340282366920938463463374607431768211455::UHUGEINT
         else pt_cidr_lo(cidr) + ((1::UHUGEINT << (128 - pt_cidr_bits(cidr))::UHUGEINT) - 1) end;
