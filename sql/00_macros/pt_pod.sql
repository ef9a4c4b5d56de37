-- Pod fields derived alike for k8s_pods (sql/land/inventory_pods.sql, kubectl snapshots) and
-- k8s_pod_events (sql/land/k8s_watch.sql, the pod watch): each macro takes the pod parsed by
-- pt_inventory_pod. Applied after pt_inventory.sql (lexical order).

-- status.podIPs, else [status.podIP], else [] (as k8s_pods.pod_ips); each in pt_ip_norm's notation.
create or replace macro pt_pod_ips(p) as
    case
        when len(list_filter(p.status.podIPs, x -> nullif(x.ip, '') is not null)) > 0
            then list_transform(list_filter(p.status.podIPs, x -> nullif(x.ip, '') is not null), x -> pt_ip_norm(x.ip))
        when nullif(p.status.podIP, '') is not null then [pt_ip_norm(p.status.podIP)]
        else []::VARCHAR[]
    end;

-- App, init and ephemeral container statuses, in that order (as k8s_pods.containers).
create or replace macro pt_pod_container_statuses(p) as
    list_concat(
        coalesce(p.status.containerStatuses, []),
        coalesce(p.status.initContainerStatuses, []),
        coalesce(p.status.ephemeralContainerStatuses, [])
    );

-- The containers column: name, container_id, image, image_id, image_digest, started_at per container.
create or replace macro pt_pod_containers(statuses) as
    to_json(list_transform(statuses, s -> {
        'name': s.name,
        'container_id': pt_strip_runtime_prefix(s.containerID),
        'image': s.image,
        'image_id': nullif(s.imageID, ''),
        'image_digest': coalesce(pt_image_digest(s.imageID), pt_image_digest(s.image)),
        'started_at': pt_inventory_iso(coalesce(s.state.running.startedAt, s.state.terminated.startedAt))
    }));

-- Container ids of those statuses, runtime prefix stripped; a container not started yet has none.
create or replace macro pt_pod_container_ids(statuses) as
    list_filter(list_transform(statuses, s -> pt_strip_runtime_prefix(s.containerID)), x -> x is not null);

-- Image digests of those statuses (imageID, else image), repeats and NULLs dropped, first order kept.
create or replace macro pt_pod_image_digests(statuses) as
    pt_inventory_distinct(list_transform(statuses, s -> coalesce(pt_image_digest(s.imageID), pt_image_digest(s.image))));
