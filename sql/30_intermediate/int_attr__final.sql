-- Attribution, step 6: key consistency, carry and inheritance on top of the direct decisions.
--   key consistency  an IRSA or Pod Identity session key is held by one pod: when the decisions on
--                  the calls made with one key name different pods, a decision taken on runtime
--                  evidence (runtime, relay, keepalive, single-pod) stands only when it names the
--                  key's anchor: the pod named by more than half of them, which no decision on the
--                  key's issuing call or on an address or tag contradicts; the others become
--                  ambiguous (a connect of one pod next to another pod's call that rode on a
--                  connection the evidence does not show), and may then be carried to the anchor
--   session-carry  strong: an IRSA or Pod Identity call without its own decisive evidence, whose
--                  key was issued by a call decided proven/strong to pod P, and P's egress (or a
--                  relay it connected to) explains this call's source
--   key-carry      strong: as above when the issuing call is not in the evidence but every
--                  proven/strong call made with the same key names the same pod P
--   aws-service-inherit  a call AWS made on the session's behalf (sourceIPAddress is a service
--                  name, e.g. KMS Decrypt by secretsmanager.amazonaws.com) takes the decision of the
--                  call that triggered it: same key, made to that service, within 5 s (the one whose
--                  secret id appears in the encryption context first, then the nearest)
--   role-chain     a chained key's call (int_cloud__chains) is never more certain than the weakest
--                  link of its chain: decided proven or strong to pod P, it stays so only when every
--                  link's issuing call is decided proven or strong to P (proven only when all are
--                  proven, else strong: rule role-chain, carried from the links); otherwise it is
--                  ambiguous, its candidates listed. The links are cited with the decision.
-- Node-role and static keys are shared by design (every pod on a node, every holder of a leaked
-- key): they never carry.
create or replace view int_attr__final as

with

events as (
    select * from int_attr__events
),

direct_decisions as (
    select * from int_attr__direct
),

key_votes as (
    select
        e.access_key_id,
        d.pod_uid,
        count(*) as n,
        bool_or(d.basis in ('key-chain', 'source-address')) as hard,
        bool_or(d.event_id = e.issuing_event_id) as issuer
    from events as e
    inner join direct_decisions as d on d.event_id = e.event_id
    where e.path in ('irsa', 'pod-identity') and d.confidence in ('proven', 'strong') and d.pod_uid is not null and e.access_key_id is not null
    group by e.access_key_id, d.pod_uid
),

issuer_votes as (
    -- the decision on the call that issued the key (its own access key is the caller's, not this one)
    select e.access_key_id, any_value(d.pod_uid) as pod_uid
    from events as e
    inner join direct_decisions as d on d.event_id = e.issuing_event_id
    where e.path in ('irsa', 'pod-identity') and d.confidence in ('proven', 'strong') and d.pod_uid is not null
    group by e.access_key_id
),

key_totals as (
    select
        v.access_key_id,
        count(*) as pods,
        sum(v.n) as total,
        max(v.n) as top_n,
        arg_max(v.pod_uid, (v.n, v.pod_uid)) as top_pod
    from key_votes as v
    group by v.access_key_id
),

key_anchor as (
    select
        t.access_key_id,
        t.pods > 1 or (i.pod_uid is not null and i.pod_uid <> t.top_pod) as conflicted,
        case
            when t.top_n * 2 > t.total
                and not exists (select 1 from key_votes as v where v.access_key_id = t.access_key_id and v.hard and v.pod_uid <> t.top_pod)
                and (i.pod_uid is null or i.pod_uid = t.top_pod)
                then t.top_pod
        end as anchor_pod
    from key_totals as t
    left join issuer_votes as i on i.access_key_id = t.access_key_id
),

direct as (
    select
        d.* replace (
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then 'ambiguous' else d.confidence end as confidence,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then 'ambiguous-candidates' else d.rule_id end as rule_id,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then null else d.pod_uid end as pod_uid,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then null else d.basis end as basis,
            case when k.conflicted and d.basis in ('runtime', 'relay', 'keepalive', 'aws-range', 'single-pod') and d.pod_uid is distinct from k.anchor_pod
                then 'the runtime evidence names pod ' || d.pod_uid || ', but the other calls made with key ' || e.access_key_id
                    || case when k.anchor_pod is not null then ' name pod ' || k.anchor_pod else ' name several pods' end
                    || ': a session key is held by one pod'
                else d.reason end as reason
        )
    from direct_decisions as d
    inner join events as e on e.event_id = d.event_id
    left join key_anchor as k on k.access_key_id = e.access_key_id and e.path in ('irsa', 'pod-identity')
),

candidates as (
    -- a carried pod must still explain the call's source, not merely be impossible to rule out
    select * from int_attr__scored where explained and ip_relation <> 'unknown-source'
),

issuers as (
    -- the decision on the call that issued each key
    select e.access_key_id, d.pod_uid, d.confidence, d.event_id as issuing_event_id
    from events as e
    inner join direct as d on d.event_id = e.issuing_event_id
    where d.confidence in ('proven', 'strong') and d.pod_uid is not null
    qualify row_number() over (partition by e.access_key_id order by d.event_id) = 1
),

key_consensus as (
    select e.access_key_id, min(d.pod_uid) as pod_uid, list_sort(list(d.event_id))[1:20] as event_ids
    from events as e
    inner join direct as d on d.event_id = e.event_id
    where d.confidence in ('proven', 'strong') and d.pod_uid is not null and e.access_key_id is not null
    group by e.access_key_id
    having count(distinct d.pod_uid) = 1
),

carried as (
    select
        d.event_id,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.confidence
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then 'strong'
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then 'strong'
            else d.confidence
        end as confidence,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.rule_id
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then 'session-carry'
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then 'key-carry'
            else d.rule_id
        end as rule_id,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.pod_uid
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then i.pod_uid
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then k.pod_uid
            else d.pod_uid
        end as pod_uid,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.reason
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then null
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then null
            else d.reason
        end as reason,
        case
            when d.confidence in ('proven', 'strong') or d.confidence = 'pending' then d.basis
            when e.path in ('irsa', 'pod-identity') and i.pod_uid is not null and ci.pod_uid is not null then 'carry'
            when e.path in ('irsa', 'pod-identity') and k.pod_uid is not null and ck.pod_uid is not null then 'carry'
        end as basis,
        case
            when e.path in ('irsa', 'pod-identity') and d.confidence not in ('proven', 'strong', 'pending') and i.pod_uid is not null and ci.pod_uid is not null
                then [i.issuing_event_id]
            when e.path in ('irsa', 'pod-identity') and d.confidence not in ('proven', 'strong', 'pending') and k.pod_uid is not null and ck.pod_uid is not null
                then k.event_ids
            else []::VARCHAR[]
        end as carried_from
    from direct as d
    inner join events as e on e.event_id = d.event_id
    left join issuers as i on i.access_key_id = e.access_key_id and e.event_id <> i.issuing_event_id
    left join candidates as ci on ci.event_id = d.event_id and ci.pod_uid = i.pod_uid
    left join key_consensus as k on k.access_key_id = e.access_key_id
    left join candidates as ck on ck.event_id = d.event_id and ck.pod_uid = k.pod_uid
),

triggers as (
    select
        e.event_id,
        t.event_id as trigger_event_id,
        row_number() over (
            partition by e.event_id
            order by
                (e.request_parameters ->> '$.encryptionContext.SecretARN') like '%' || (t.request_parameters ->> '$.secretId') || '%' desc,
                abs(epoch(t.ts) - epoch(e.ts)),
                t.event_id
        ) as rn
    from events as e
    inner join events as t
        on e.inherits
        and not t.aws_invoked
        and t.access_key_id = e.access_key_id
        and t.event_source = coalesce(e.invoked_by, e.source_ip)
        and t.ts between e.ts - interval 5 seconds and e.ts + interval 5 seconds
),

inherited as (
    select
        c.event_id,
        case
            when c.confidence <> 'pending' then c.confidence
            when tr.trigger_event_id is not null then tc.confidence
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then 'strong'
            else 'unattributed'
        end as confidence,
        case
            when c.confidence <> 'pending' then c.rule_id
            when tr.trigger_event_id is not null then 'aws-service-inherit'
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then 'key-carry'
            else 'aws-service-inherit'
        end as rule_id,
        case
            when c.confidence <> 'pending' then c.pod_uid
            when tr.trigger_event_id is not null then tc.pod_uid
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then k.pod_uid
        end as pod_uid,
        case
            when c.confidence <> 'pending' then c.reason
            when tr.trigger_event_id is not null then
                case when tc.confidence in ('proven', 'strong') then null
                else 'made by ' || coalesce(e.invoked_by, e.source_ip) || ' on behalf of call ' || tr.trigger_event_id || ': ' || coalesce(tc.reason, tc.confidence) end
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then null
            else 'made by ' || coalesce(e.invoked_by, e.source_ip) || ' on behalf of the session; the call that triggered it is not in the evidence'
        end as reason,
        case
            when c.confidence <> 'pending' then c.basis
            when tr.trigger_event_id is not null and tc.confidence in ('proven', 'strong') then 'inherit'
            when k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then 'carry'
        end as basis,
        case
            when c.confidence = 'pending' and tr.trigger_event_id is not null then [tr.trigger_event_id]
            when c.confidence = 'pending' and k.pod_uid is not null and e.path in ('irsa', 'pod-identity') then k.event_ids
            else c.carried_from
        end as carried_from,
        tr.trigger_event_id
    from carried as c
    inner join events as e on e.event_id = c.event_id
    left join triggers as tr on tr.event_id = c.event_id and tr.rn = 1
    left join carried as tc on tc.event_id = tr.trigger_event_id
    left join key_consensus as k on k.access_key_id = e.access_key_id
),

chain_links as (
    select e.event_id, l.link_event_id
    from events as e, unnest(e.chain_event_ids) as l(link_event_id)
    where e.chain_depth > 0 and l.link_event_id <> e.event_id
),

link_state as (
    select
        l.event_id,
        count(*) as n_links,
        count(*) filter (where i.confidence in ('proven', 'strong') and i.pod_uid is not null) as n_decided,
        count(*) filter (where i.confidence = 'proven') as n_proven,
        count(distinct i.pod_uid) filter (where i.confidence in ('proven', 'strong')) as n_pods,
        min(i.pod_uid) filter (where i.confidence in ('proven', 'strong')) as link_pod,
        arg_min(l.link_event_id, (case i.confidence when 'proven' then 3 when 'strong' then 2 when 'ambiguous' then 1 else 0 end, l.link_event_id)) as weakest_event,
        arg_min(coalesce(i.confidence, 'missing'), (case i.confidence when 'proven' then 3 when 'strong' then 2 when 'ambiguous' then 1 else 0 end, l.link_event_id)) as weakest_confidence
    from chain_links as l
    left join inherited as i on i.event_id = l.link_event_id
    group by l.event_id
),

capped as (
    select
        i.*,
        case
            when s.event_id is null or i.confidence not in ('proven', 'strong') then 'keep'
            when s.n_decided = s.n_links and s.n_pods = 1 and s.link_pod = i.pod_uid then
                case when i.confidence = 'proven' and s.n_proven < s.n_links then 'strong' else 'keep' end
            else 'ambiguous'
        end as cap,
        s.weakest_event,
        s.weakest_confidence,
        s.link_pod,
        s.n_links
    from inherited as i
    left join link_state as s on s.event_id = i.event_id
),

final as (
    select
        c.event_id,
        case c.cap when 'keep' then c.confidence else c.cap end as confidence,
        case c.cap when 'keep' then c.rule_id when 'strong' then 'role-chain' else 'ambiguous-candidates' end as rule_id,
        case c.cap when 'ambiguous' then null else c.pod_uid end as pod_uid,
        case c.cap
            when 'ambiguous' then
                'the key came through a role chain of ' || pt_count(c.n_links, 'link', 'links') || '; link ' || c.weakest_event
                || case
                    when c.weakest_confidence in ('proven', 'strong') then ' is decided to pod ' || c.link_pod || ', not to pod ' || c.pod_uid
                    else ' is ' || c.weakest_confidence
                end
                || ' (the call''s own evidence names pod ' || c.pod_uid || '): a chained call is never more certain than its weakest link'
            else c.reason
        end as reason,
        case c.cap when 'keep' then c.basis when 'strong' then 'carry' end as basis,
        case c.cap when 'strong' then list_sort(list_distinct(list_concat(c.carried_from, e.chain_event_ids))) else c.carried_from end as carried_from,
        c.trigger_event_id
    from capped as c
    inner join events as e on e.event_id = c.event_id
)

select * from final
