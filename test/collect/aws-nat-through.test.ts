import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateScenario } from '../../src/generate/generate.js';
import { findScenario } from '../../src/generate/scenarios/index.js';
import { loadCaseConfig, renderCaseConfig } from '../../src/case/case-config.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { collectAws, type CollectAwsResult } from '../../src/collect/aws/collect-aws.js';
import { openCaseStore } from '../../src/store/case-store.js';
import { casePaths } from '../../src/case/case-paths.js';
import { createClock } from '../../src/core/clock.js';
import { scoreCloud, type AttributionRow, type CloudScore, type TruthCloudEvent } from '../../src/eval/score.js';
import { FakeAws } from '../servers/aws/aws-server.js';
import { cloudTrailService, stsService } from '../servers/aws/services.js';
import { ec2Service, eksService, iamService, logsService } from '../servers/aws/inventory-services.js';
import { clusterFixture } from '../servers/aws/cluster-fixture.js';
import { ACCESS_KEY, CALLER, TEST_RETRY, useTestCredentials } from './aws-harness.js';
import { AS_OF, tempDir } from '../helpers/case.js';

/**
 * The closing case of the AWS inventory: a generated NAT-through incident (nat-public: pods reach
 * AWS's public endpoints through two NAT gateways) whose case.yaml declares no egress at all.
 * Correlated before collection, the calls from the NATs' addresses have only what the engine can
 * learn; after `collect aws --cluster` against the loopback account built from the scenario's world,
 * the NATs' addresses are collected egress facts, and the calls are attributed from them, each
 * citing the collected fact. Scored against the generator's truth both times.
 */
const SEED = 1;
const t = tempDir('podtrail-nat-');
const caseDir = path.join(t.dir, 'nat-public');
let aws: FakeAws;
let truth: TruthCloudEvent[];
let before: CloudScore;
let after: CloudScore;
let collected: CollectAwsResult;
const logs: string[] = [];

async function score(): Promise<{ score: CloudScore; natCalls: { confidence: string; egress_fact_id: string | null }[] }> {
  const store = await openCaseStore(casePaths(caseDir), { write: false });
  try {
    const rows = (await store.rows(`select event_id, confidence, pod_uid, candidates::VARCHAR as candidates from attributions`)).map((r) => ({
      event_id: String(r['event_id']),
      confidence: String(r['confidence']),
      pod_uid: (r['pod_uid'] as string | null) ?? null,
      candidates: JSON.parse(String(r['candidates'])) as { pod_uid: string }[],
    })) as AttributionRow[];
    const nat = findScenario('nat-public')!.build(SEED).cluster.account.nats.map((n) => n.publicIp);
    const natCalls = (await store.rows(`select a.confidence, a.egress_fact_id from attributions as a inner join cloud_events as c using (event_id) where list_contains($ips, c.source_ip) order by a.event_id`, { ips: nat })) as { confidence: string; egress_fact_id: string | null }[];
    return { score: scoreCloud(truth, rows), natCalls };
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  useTestCredentials();
  generateScenario({ scenario: 'nat-public', seed: SEED, scale: 0.05, outDir: caseDir });
  const cfg = loadCaseConfig(path.join(caseDir, 'case.yaml'));
  writeFileSync(path.join(caseDir, 'case.yaml'), renderCaseConfig({ ...cfg, egress: [] }));
  truth = (JSON.parse(readFileSync(path.join(caseDir, 'truth.json'), 'utf8')) as { cloud_events: TruthCloudEvent[] }).cloud_events;
  await ingestCase({ caseDir, paths: [path.join(caseDir, 'inputs')], source: null, operator: 'tester', snapshotAt: null, clock: createClock(AS_OF), log: () => {} });
  await correlateCase(caseDir);
  before = (await score()).score;

  const fx = clusterFixture(findScenario('nat-public')!.build(SEED));
  aws = await new FakeAws({ accessKeys: [ACCESS_KEY] })
    .register(stsService(CALLER))
    .register(cloudTrailService({ events: new Map(), keys: new Map(), lookupTps: 1000 }))
    .register(ec2Service({ ...fx.ec2, maxPage: 5 }))
    .register(eksService({ ...fx.eks, maxPage: 1 }))
    .register(iamService(fx.roles))
    .register(logsService({ groups: new Map([[`/aws/eks/${fx.clusterName}/cluster`, []]]) }))
    .start();
  aws.faults.push({ request: 'ec2:DescribeNetworkInterfaces', action: { kind: 'error', status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } });
  collected = await collectAws({
    caseDir,
    profile: null,
    regions: [fx.region],
    eventSources: [],
    trail: null,
    accounts: [],
    cluster: fx.clusterName,
    endpoint: aws.url,
    timeoutMs: 3000,
    retry: TEST_RETRY,
    lookupRatePerSecond: 50,
    inventoryPageSize: 5,
    operator: 'tester',
    clock: createClock(AS_OF),
    now: () => Date.parse('2026-11-01T00:00:00Z'),
    log: (l) => logs.push(l),
  });
  await correlateCase(caseDir);
  after = (await score()).score;
}, 300_000);

afterAll(async () => {
  await aws?.stop();
  t.cleanup();
});

describe('a NAT-through case with no egress declared, attributed from collected facts', () => {
  it('collects the cluster inventory completely, paging and retrying', () => {
    expect(collected.failure).toBeNull();
    expect(collected.steps.find((s) => s.step.startsWith('cluster inventory'))?.state).toBe('done');
    expect(aws.requests('ec2:DescribeNetworkInterfaces').length).toBeGreaterThan(2); // a throttled attempt, then pages of 5
    expect(aws.requests('eks:DescribePodIdentityAssociation').length).toBe(aws.requests('eks:ListPodIdentityAssociations').length > 0 ? aws.requests('eks:DescribePodIdentityAssociation').length : 0);
    expect(aws.requests('iam:GetRole').length).toBeGreaterThan(0);
  });

  it('turns the NAT gateways into collected egress facts, and attributes the NAT calls from them', async () => {
    const store = await openCaseStore(casePaths(caseDir), { write: false });
    let facts: { fact_id: string; source: string; overridden_by: string | null }[];
    try {
      facts = (await store.rows(`select distinct fact_id, source, overridden_by from egress_facts where source = 'collected' order by fact_id`)) as typeof facts;
    } finally {
      store.close();
    }
    const nats = findScenario('nat-public')!.build(SEED).cluster.account.nats;
    for (const n of nats) expect(facts.some((f) => f.fact_id.endsWith(`:${n.publicIp}`) && f.overridden_by === null)).toBe(true);
    const { natCalls } = await score();
    const usedCollected = natCalls.filter((c) => c.egress_fact_id?.startsWith('collected:'));
    process.stdout.write(
      `nat-public seed ${SEED} scale 0.05, no egress declared: before collection recall ${before.recall?.toFixed(3)} (decidable ${before.recallDecidable?.toFixed(3)}), precision ${before.precision?.toFixed(3)}, by confidence ${JSON.stringify(before.byConfidence)}, nat-public recall ${JSON.stringify(before.byProperty['nat-public'])}\n` +
        `after collection: recall ${after.recall?.toFixed(3)} (decidable ${after.recallDecidable?.toFixed(3)}), precision ${after.precision?.toFixed(3)}, by confidence ${JSON.stringify(after.byConfidence)}, nat-public recall ${JSON.stringify(after.byProperty['nat-public'])}; ${natCalls.length} calls from the NATs' addresses, ${usedCollected.length} citing a collected fact\n`,
    );
    expect(usedCollected.length).toBeGreaterThan(0);
    expect(after.precision ?? 1).toBe(1);
    expect(after.notPodMadeProvenStrong).toBe(0);
    expect(after.recalled).toBeGreaterThanOrEqual(before.recalled);
  });

  it('never lets a collected fact override one the analyst declared', async () => {
    const spec = findScenario('nat-public')!.build(SEED);
    const nat = spec.cluster.account.nats[0]!;
    const cfg = loadCaseConfig(path.join(caseDir, 'case.yaml'));
    // the analyst declares the first NAT's address in front of one node only
    const node = spec.cluster.nodes.find((n) => n.subnet.nat === nat)!.name;
    writeFileSync(path.join(caseDir, 'case.yaml'), renderCaseConfig({ ...cfg, egress: [{ label: 'analyst-nat', public: [nat.publicIp], nodes: [node], subnets: [] }] as typeof cfg.egress }));
    await correlateCase(caseDir);
    const store = await openCaseStore(casePaths(caseDir), { write: false });
    try {
      const facts = (await store.rows(`select distinct fact_id, source, overridden_by from egress_facts where cidr = $ip order by fact_id`, { ip: nat.publicIp })) as { fact_id: string; source: string; overridden_by: string | null }[];
      expect(facts.find((f) => f.source === 'declared')).toMatchObject({ overridden_by: null });
      expect(facts.filter((f) => f.source === 'collected').length).toBeGreaterThan(0);
      for (const f of facts.filter((x) => x.source === 'collected')) expect(f.overridden_by).toBe(`declared:analyst-nat:${nat.publicIp}`);
      const cited = (await store.rows(`select distinct a.egress_fact_id from attributions as a inner join cloud_events as c using (event_id) where c.source_ip = $ip and a.egress_fact_id is not null`, { ip: nat.publicIp })) as { egress_fact_id: string }[];
      expect(cited.map((r) => r.egress_fact_id)).toEqual([`declared:analyst-nat:${nat.publicIp}`]);
    } finally {
      store.close();
    }
  });
});
