-- Kubernetes inventory helpers for sql/land/inventory_*.sql (`kubectl get ... -o json`).
-- Applied after pt_common.sql (lexical order), so they may use its macros.

-- The kind of a List item: its own "kind", else the one its List names (PodList -> Pod,
-- NodeList -> Node, ServiceAccountList -> ServiceAccount, any <Kind>List -> <Kind>). Items of a
-- typed List often carry no kind; items of a plain "List" always do.
create or replace macro pt_inventory_item_kind(item_kind, list_kind) as
    coalesce(
        nullif(item_kind, ''),
        case when list_kind like '_%List' and list_kind <> 'List' then left(list_kind, -4) end
    );

-- A value is a List when it has an "items" member or its kind ends in List.
create or replace macro pt_inventory_is_list(doc) as
    coalesce(json_exists(doc, '$.items') or (doc ->> 'kind') like '%List', false);

-- The Node fields podtrail reads, parsed once (from_json is lenient: wrong types become NULL).
create or replace macro pt_inventory_node(item) as
    from_json(item, '{
        "metadata": {"name": "VARCHAR", "uid": "VARCHAR", "creationTimestamp": "VARCHAR", "labels": "JSON"},
        "spec": {"providerID": "VARCHAR"},
        "status": {"addresses": [{"type": "VARCHAR", "address": "VARCHAR"}]}
    }');

-- The Pod fields podtrail reads. Container statuses of app, init and ephemeral containers share a shape.
create or replace macro pt_inventory_pod(item) as
    from_json(item, '{
        "metadata": {
            "uid": "VARCHAR", "namespace": "VARCHAR", "name": "VARCHAR", "resourceVersion": "VARCHAR",
            "creationTimestamp": "VARCHAR", "deletionTimestamp": "VARCHAR", "deletionGracePeriodSeconds": "BIGINT", "labels": "JSON",
            "ownerReferences": [{"kind": "VARCHAR", "name": "VARCHAR"}]
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

-- The ServiceAccount fields podtrail reads.
create or replace macro pt_inventory_service_account(item) as
    from_json(item, '{
        "metadata": {"namespace": "VARCHAR", "name": "VARCHAR", "uid": "VARCHAR", "creationTimestamp": "VARCHAR", "annotations": "JSON"}
    }');

-- A list without NULLs and repeats, first occurrence order kept.
create or replace macro pt_inventory_distinct(xs) as
    list_filter(xs, (x, i) -> x is not null and list_position(xs, x) = i);

-- An instant as ISO 8601 UTC text with Z (Kubernetes writes second precision), for JSON columns.
create or replace macro pt_inventory_iso(text) as
    strftime(pt_ts(text), '%Y-%m-%dT%H:%M:%SZ');

-- The disposition of a Node, Pod or ServiceAccount from its metadata.uid: an object without one
-- (absent or empty) cannot be told from another of the same name.
create or replace macro pt_inventory_disposition(uid) as
    case
        when nullif(uid, '') is null then 'reject.missing_id'
        else 'landed'
    end;
