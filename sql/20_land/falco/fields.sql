-- The output_fields of each alert podtrail reads, by name: the pod, the container, the image, the
-- addresses (client -> server, else local -> remote, else fd.name), the process and the drops.

with

alerts as (
    select * from src
),

-- output_fields parsed once per alert: one list of the keys podtrail reads (keys hold dots, so
-- each is quoted in the path); evt.time comes out as its digits, never through a float
picked as (
    select
        *,
        json_extract_string(output_fields, [
            '$."evt.time"', '$."evt.time.iso8601"', '$."evt.type"',
            '$."k8s.ns.name"', '$."k8smeta.ns.name"', '$."k8s.pod.name"', '$."k8smeta.pod.name"',
            '$."k8s.pod.uid"', '$."k8smeta.pod.uid"',
            '$."container.full_id"', '$."container.id"', '$."container.name"',
            '$."container.image.repository"', '$."container.image.tag"', '$."container.image.digest"',
            '$."fd.cip"', '$."fd.cport"', '$."fd.sip"', '$."fd.sport"',
            '$."fd.lip"', '$."fd.lport"', '$."fd.rip"', '$."fd.rport"', '$."fd.l4proto"',
            '$."proc.pid"', '$."proc.exepath"', '$."proc.cmdline"', '$."user.uid"',
            '$."n_drops"', '$."n_drops_buffer_total"', '$."fd.name"'
        ]) as v
    from alerts
),

fields_named as (
    select
        _efid,
        _ordinal,
        _line,
        _path,
        uuid,
        time,
        rule,
        hostname,
        coalesce(v[1], v[2]) as evt_time_raw,
        pt_falco_value(v[3]) as evt_type,
        coalesce(pt_falco_value(v[4]), pt_falco_value(v[5])) as pod_namespace,
        coalesce(pt_falco_value(v[6]), pt_falco_value(v[7])) as pod_name,
        coalesce(pt_falco_value(v[8]), pt_falco_value(v[9])) as pod_uid,
        coalesce(pt_falco_value(v[10]), pt_falco_value(v[11])) as container_id_raw,
        pt_falco_value(v[12]) as container_name_raw,
        pt_falco_value(v[13]) as image_repository,
        pt_falco_value(v[14]) as image_tag,
        -- a string per the container plugin; an array in edited samples: its first element
        case when left(v[15], 1) = '[' then json_extract_string(v[15], '$[0]') else v[15] end as image_digest_raw,
        -- client -> server when Falco names them, else local -> remote
        coalesce(v[16], case when v[18] is null then v[20] end) as src_ip_raw,
        coalesce(v[17], case when v[18] is null then v[21] end) as src_port_raw,
        coalesce(v[18], case when v[16] is null then v[22] end) as dst_ip_raw,
        coalesce(v[19], case when v[16] is null then v[23] end) as dst_port_raw,
        coalesce(v[18], v[22]) as server_or_remote_ip,
        v[24] as l4proto,
        v[25] as pid_raw,
        pt_falco_value(v[26]) as binary_raw,
        v[27] as cmdline,
        v[28] as uid_raw,
        coalesce(v[29], v[30]) as drops_raw,
        -- fd.name of a socket, client:port->server:port (IPv6 bare or in brackets: the port is
        -- after the last colon); rules such as the stock metadata-service one print only it
        regexp_extract(v[31], '^\[?(.+?)\]?:([0-9]+)->\[?(.+?)\]?:([0-9]+)$', ['cip', 'cport', 'sip', 'sport']) as fd_name
    from picked
),

final as (
    select
        * exclude (src_ip_raw, src_port_raw, dst_ip_raw, dst_port_raw, server_or_remote_ip, fd_name),
        coalesce(src_ip_raw, nullif(fd_name.cip, '')) as src_ip_raw,
        coalesce(src_port_raw, nullif(fd_name.cport, '')) as src_port_raw,
        coalesce(dst_ip_raw, nullif(fd_name.sip, '')) as dst_ip_raw,
        coalesce(dst_port_raw, nullif(fd_name.sport, '')) as dst_port_raw,
        coalesce(server_or_remote_ip, nullif(fd_name.sip, '')) as server_or_remote_ip
    from fields_named
)

select * from final
