import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateScenario } from '../../src/generate/generate.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { createClock } from '../../src/core/clock.js';
import { AS_OF, tempDir } from './case.js';

/** The parts of truth.json (src/generate/README.md, "truth.json") the query tests use. */
export interface Truth {
  scenario: string;
  window: { from: string; to: string };
  clock_offsets: Record<string, number>;
  incidents: {
    play: string;
    pod_uid: string;
    pod_name: string;
    namespace: string;
    node: string;
    human: string | null;
    path: string;
    started_at: string;
    ended_at: string;
    cloud_event_ids: string[];
    audit_ids: string[];
    attacker_ips: string[];
  }[];
  malformed: { file: string; line: number; why: string }[];
  kube_requests: { audit_id: string; bound_pod_uid: string; pod_uid: string | null; off_pod: boolean; incident: boolean }[];
  cloud_events: {
    event_id: string;
    event_name: string;
    event_time: string;
    made_by_pod_uid: string | null;
    path: string;
    source_ip: string;
    incident: boolean;
    logged: boolean;
    why_not_pod: string | null;
  }[];
}

/**
 * Generates a scenario, ingests it as `podtrail ingest DIR DIR/inputs --as-of ...` would, and
 * correlates it: a complete case with its ground truth. Built once per test file (beforeAll).
 */
export async function buildGeneratedCase(scenario: string, seed: number, scale = 0.05): Promise<{ caseDir: string; truth: Truth; cleanup: () => void }> {
  const { dir, cleanup } = tempDir('podtrail-gen-');
  const caseDir = path.join(dir, scenario);
  generateScenario({ scenario, seed, scale, outDir: caseDir });
  await ingestCase({
    caseDir,
    paths: [path.join(caseDir, 'inputs')],
    source: null,
    operator: 'tester',
    snapshotAt: null,
    clock: createClock(AS_OF),
    log: () => {},
  });
  await correlateCase(caseDir);
  const truth = JSON.parse(readFileSync(path.join(caseDir, 'truth.json'), 'utf8')) as Truth;
  return { caseDir, truth, cleanup };
}
