-- Address helpers for the correlation views.

-- An IPv4 address as an integer (NULL for anything else). Comparisons use pt_ip_int (pt_addr.sql), which serves both families.
create or replace macro pt_ipv4_int(ip) as
    case
        when regexp_full_match(ip, '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}') then
            split_part(ip, '.', 1)::BIGINT * 16777216
            + split_part(ip, '.', 2)::BIGINT * 65536
            + split_part(ip, '.', 3)::BIGINT * 256
            + split_part(ip, '.', 4)::BIGINT
    end;

-- sourceIPAddress is an address (CloudTrail also writes service names: pods.eks.amazonaws.com, AWS Internal).
create or replace macro pt_is_ip(ip) as
    pt_ip_int(ip) is not null;

-- Private (RFC 1918, carrier-grade NAT, IPv6 ULA) addresses: inside a VPC.
create or replace macro pt_is_private_ip(ip) as
    regexp_matches(coalesce(ip, ''), '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|f[cd][0-9a-fA-F]{2}:)');

-- Instance metadata service (IMDS) addresses, IPv4 and IPv6 (any notation).
create or replace macro pt_is_imds(ip) as
    pt_ip_norm(ip) in ('169.254.169.254', 'fd00:ec2::254');

-- The EKS Pod Identity agent's addresses, IPv4 and IPv6 (any notation).
create or replace macro pt_is_pod_identity_agent(ip) as
    pt_ip_norm(ip) in ('169.254.170.23', 'fd00:ec2::23');

-- Seconds between two timestamps (b - a), fractional.
create or replace macro pt_seconds_between(a, b) as
    epoch_ns(b::TIMESTAMP_NS) / 1e9 - epoch_ns(a::TIMESTAMP_NS) / 1e9;

-- A timestamp moved by a number of seconds (fractional allowed).
create or replace macro pt_add_seconds(t, s) as
    make_timestamp_ns(epoch_ns(t::TIMESTAMP_NS) + (s * 1e9)::BIGINT);

-- Addresses that never leave the host or the link: loopback, link-local (IMDS, the Pod Identity
-- agent), unspecified, multicast.
create or replace macro pt_is_local_ip(ip) as
    regexp_matches(coalesce(ip, ''), '^(127\.|169\.254\.|0\.|22[4-9]\.|2[3-5][0-9]\.|::1$|fe[89ab][0-9a-fA-F]:|fd00:ec2::|ff[0-9a-fA-F]{2}:|::$)');

-- A public (routable, outside any VPC) address: where a NAT sends traffic.
create or replace macro pt_is_public_ip(ip) as
    pt_is_ip(ip) and not pt_is_private_ip(ip) and not pt_is_local_ip(ip);
