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
-- The steps: int_attr__key_consistent, int_attr__carried (with int_attr__key_consensus),
-- int_attr__inherited; this view caps chained calls (role-chain).
create or replace view int_attr__final as

with

events as (
    select * from int_attr__events
),

inherited as (
    select * from int_attr__inherited
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
