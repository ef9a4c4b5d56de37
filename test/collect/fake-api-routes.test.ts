/**
 * The loopback API server takes extra endpoints (for the collectors built on this one), with the
 * same authentication, RBAC refusals and faults; K8sApi.call keeps any client-node call's bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { startCluster, type Cluster } from './k8s-harness.js';
import { K8sApi } from '../../src/collect/k8s/api-client.js';
import { loadKubeTarget } from '../../src/collect/k8s/kube-target.js';
import { RequestFailure } from '../../src/collect/common/collect-error.js';

describe('loopback API server: extra routes', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ load: false });
    c.api.routes.push({
      method: 'GET',
      path: /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/,
      verb: 'get',
      resource: 'pods/log',
      handle: (_req, res, o) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`2026-10-20T09:00:00.000000001Z {"ns":"${o.match[1]}","pod":"${o.match[2]}","timestamps":"${o.query['timestamps']}"}\n`);
      },
    });
  });
  afterAll(async () => {
    await c.cleanup();
  });

  it('serves a route through client-node, keeping the bytes; RBAC and faults apply to it', async () => {
    const target = loadKubeTarget({ kubeconfig: c.kubeconfig });
    const api = new K8sApi(target, 5000);
    const core = target.kc.makeApiClient(CoreV1Api);
    const log = await api.call('get pods/log', (options) => core.readNamespacedPodLogWithHttpInfo({ namespace: 'podtrail-sensor', name: 'tetragon-abc', timestamps: true }, options));
    expect(log.exchange.status).toBe(200);
    expect(log.exchange.body.toString('utf8')).toBe('2026-10-20T09:00:00.000000001Z {"ns":"podtrail-sensor","pod":"tetragon-abc","timestamps":"true"}\n');
    c.api.faults.push({ request: 'get pods/log', action: { kind: 'status', code: 403 } });
    const refused = await api.call('get pods/log', (options) => core.readNamespacedPodLogWithHttpInfo({ namespace: 'podtrail-sensor', name: 'tetragon-abc' }, options)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RequestFailure);
    expect((refused as RequestFailure).kind).toBe('forbidden');
    expect((refused as RequestFailure).message).toContain('cannot get resource "pods/log"');
  });
});
