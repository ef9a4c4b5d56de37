-- The attribution rules and their versions. A rule's version changes whenever what it decides
-- can change; attributions.rule_version records the version that decided each row. Rules named
-- <path>-<rule> (e.g. irsa-runtime-connect) are listed by their rule part.
--   v2 (relay-aware elimination): a candidate is ruled out by its egress only when its node was
--   observed and it made no connect a relay could have carried out; source-ip rules no longer
--   name a pod that relayed someone's connect; single-pod counts the pods of the service account
--   that existed, not those left after elimination.
--   v3 (IPv6, Falco, controller-made pods): addresses compare in one notation and one numeric space
--   (IPv6 pod, node, endpoint and egress addresses count); a node whose Falco alerts on every
--   outbound connect is observed (its silence rules a candidate out); a pod created with
--   generateName between snapshots has its service account and node from audit, so it is a
--   candidate and is counted. aws-range-connect and relay-connect v2 for the same reasons.
--   v4 single-pod, v3 ambiguous-candidates, unresolved-holder v1 (unresolved holder): a call whose
--   private source address no candidate's egress (nor a relay) explains, and whose holder at the
--   call is no pod or node the evidence knows, or a pod known only from runtime or audit with no
--   service account, is unattributed (unresolved-holder), not ambiguous among candidates that
--   leave the holder out; single-pod no longer fires while a pod of the account's namespace whose
--   service account no evidence shows was running.
create or replace view int_attr__rules as

select * from (
    values
        ('pod-identity-tag', 3, 'proven', 'the Pod Identity session tag names the pod, and its egress or a relay it used explains the source'),
        ('irsa-source-ip', 3, 'proven', 'IRSA: the source is the pod IP of exactly one pod of the service account, which relayed nobody, inventory brackets the call'),
        ('source-ip-pod', 3, 'strong', 'exactly one candidate holds the source address, and it relayed nobody'),
        ('runtime-connect', 3, 'strong', 'exactly one candidate connected to the service in the window from an egress that explains the source; no other can be unseen'),
        ('relay-connect', 2, 'strong', 'as runtime-connect, the connect carried out by a known relay from the call''s source'),
        ('aws-range-connect', 2, 'strong', 'no endpoint connect; exactly one candidate connected through its NAT to an address in AWS''s ranges whose code allows the service, and no other candidate to any AWS address'),
        ('keepalive-connect', 3, 'strong', 'no candidate connected in the window; exactly one did in the 120 s before it'),
        ('single-pod', 4, 'strong', 'exactly one pod of the service account existed and no pod of its namespace with an unknown service account, its egress or a relay explains the source, inventory brackets the call'),
        ('session-carry', 2, 'strong', 'the key was issued by a call decided to pod P, whose egress still explains this call''s source'),
        ('key-carry', 2, 'strong', 'every decided call with the key names pod P, whose egress still explains this call''s source'),
        ('role-chain', 1, 'strong', 'a chained key''s call the key chain names pod P for, with a link of the chain decided strong: never more certain than its weakest link'),
        ('aws-service-inherit', 1, 'inherited', 'a call AWS made on the session''s behalf takes its triggering call''s decision'),
        ('node-role-host', 1, 'unattributed', 'node role: no pod of the node reached the metadata service''s credentials within the key''s validity; the host or its host-network agents made it'),
        ('host-process-connect', 2, 'unattributed', 'a host process, not a pod, connected for the call'),
        ('ambiguous-candidates', 3, 'ambiguous', 'every remaining candidate listed'),
        ('unresolved-holder', 1, 'unattributed', 'no candidate explains the private source address, and its holder is no pod or node the evidence knows, or a pod with no known service account: the candidates are not a closed set'),
        ('no-candidate', 2, 'unattributed', 'no candidate remains')
) as t(rule, rule_version, confidence, summary)
