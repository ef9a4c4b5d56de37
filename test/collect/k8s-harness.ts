/**
 * The loopback cluster of the collection tests: the fake API server (test/servers/k8s-api) with a
 * CA made for the run, the inventory fixtures loaded, a kubeconfig that trusts it, and a case.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeKubeApi, type FakeApiOptions } from '../servers/k8s-api/fake-api-server.js';
import { makeTestPki, type TestPki } from '../servers/k8s-api/pki.js';
import { writeKubeconfig, type KubeUser } from '../servers/k8s-api/kubeconfig.js';
import { makeCase, tempDir, AS_OF } from '../helpers/case.js';
import { collectK8s, type CollectK8sOptions, type CollectK8sResult } from '../../src/collect/k8s/collect-k8s.js';
import { createClock } from '../../src/core/clock.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'inventory');
export const INVENTORY = {
  nodes: path.join(FIXTURES, 'nodes-2026-10-20T09-50-00Z.json'),
  pods: path.join(FIXTURES, 'pods-2026-10-20T09-50-00Z.json'),
  serviceaccounts: path.join(FIXTURES, 'serviceaccounts-2026-10-20T09-50-00Z.json'),
};
export const TOKEN = 'loopback-token-7f3c9a1e5b';
export const USER = 'system:serviceaccount:ir:podtrail-collector';
export const EXEC_PLUGIN = path.resolve(__dirname, '..', 'servers', 'k8s-api', 'exec-credential.mjs');

export function items(file: string): Obj[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { items: Obj[] }).items;
}

/** Fast retries for tests: the same code paths, shorter waits. */
export const TEST_RETRY = { attempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2000 };

export interface Cluster {
  api: FakeKubeApi;
  pki: TestPki;
  dir: string;
  kubeconfig: string;
  caseDir: string;
  cleanup: () => Promise<void>;
  collect(o?: Partial<CollectK8sOptions>): Promise<CollectK8sResult>;
  logs: string[];
}

let pki: TestPki | null = null;

/** One CA and server certificate per test process (openssl takes a while on a loaded machine). */
function sharedPki(): TestPki {
  if (!pki) {
    const t = tempDir('podtrail-pki-');
    process.on('exit', t.cleanup);
    pki = makeTestPki(t.dir);
  }
  return pki;
}

/** A loopback API server loaded with the inventory fixtures, its kubeconfig, and a fresh case. */
export async function startCluster(o: Partial<FakeApiOptions> & { user?: KubeUser; load?: boolean } = {}): Promise<Cluster> {
  const t = tempDir('podtrail-k8s-');
  const pki = sharedPki();
  const api = await new FakeKubeApi({ pki, tokens: { [TOKEN]: USER }, ...o }).start();
  if (o.load !== false) {
    api.load('nodes', items(INVENTORY.nodes));
    api.load('pods', items(INVENTORY.pods));
    api.load('serviceaccounts', items(INVENTORY.serviceaccounts));
  }
  const kubeconfig = writeKubeconfig(path.join(t.dir, 'kubeconfig.yaml'), { server: api.url, caFile: pki.caFile, user: o.user ?? { token: TOKEN } });
  const c = makeCase();
  const logs: string[] = [];
  return {
    api,
    pki,
    dir: t.dir,
    kubeconfig,
    caseDir: c.caseDir,
    logs,
    cleanup: async () => {
      await api.stop();
      c.cleanup();
      t.cleanup();
    },
    collect: (x = {}) =>
      collectK8s({
        caseDir: c.caseDir,
        kube: { kubeconfig },
        watchSeconds: null,
        pageSize: 500,
        timeoutMs: 5000,
        idleMs: 5000,
        retry: TEST_RETRY,
        operator: 'tester',
        clock: createClock(AS_OF),
        log: (line) => logs.push(line),
        ...x,
      }),
  };
}
