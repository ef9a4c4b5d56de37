-- Pod watch helpers for sql/land/k8s_watch.sql (podtrail.k8s-watch/v1: `podtrail collect k8s --watch`).
-- Applied after pt_inventory.sql (lexical order). The pod fields mean what they mean in k8s_pods
-- (sql/land/inventory_pods.sql); these macros take the parsed pod, so the two derive them alike.

-- The pod of a watch event: the fields of pt_inventory_pod plus those only a watch needs.
create or replace macro pt_watch_pod(item) as
    from_json(item, '{
        "metadata": {
            "uid": "VARCHAR", "namespace": "VARCHAR", "name": "VARCHAR", "resourceVersion": "VARCHAR",
            "creationTimestamp": "VARCHAR", "deletionTimestamp": "VARCHAR", "deletionGracePeriodSeconds": "BIGINT",
            "labels": "JSON", "ownerReferences": [{"kind": "VARCHAR", "name": "VARCHAR"}]
        },
        "spec": {"nodeName": "VARCHAR", "serviceAccountName": "VARCHAR", "serviceAccount": "VARCHAR", "hostNetwork": "VARCHAR"},
        "status": {
            "phase": "VARCHAR", "podIP": "VARCHAR", "podIPs": [{"ip": "VARCHAR"}], "hostIP": "VARCHAR", "startTime": "VARCHAR",
            "containerStatuses": [{"name": "VARCHAR", "containerID": "VARCHAR", "image": "VARCHAR", "imageID": "VARCHAR",
                "state": {"running": {"startedAt": "VARCHAR"}, "terminated": {"startedAt": "VARCHAR"}}}],
            "initContainerStatuses": [{"name": "VARCHAR", "containerID": "VARCHAR", "image": "VARCHAR", "imageID": "VARCHAR",
                "state": {"running": {"startedAt": "VARCHAR"}, "terminated": {"startedAt": "VARCHAR"}}}],
            "ephemeralContainerStatuses": [{"name": "VARCHAR", "containerID": "VARCHAR", "image": "VARCHAR", "imageID": "VARCHAR",
                "state": {"running": {"startedAt": "VARCHAR"}, "terminated": {"startedAt": "VARCHAR"}}}]
        }
    }');

-- status.podIPs, else [status.podIP], else [] (as k8s_pods.pod_ips).
create or replace macro pt_pod_ips(p) as
    case
        when len(list_filter(p.status.podIPs, x -> nullif(x.ip, '') is not null)) > 0
            then list_transform(list_filter(p.status.podIPs, x -> nullif(x.ip, '') is not null), x -> x.ip)
        when nullif(p.status.podIP, '') is not null then [p.status.podIP]
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
