/**
 * A Tetragon the cluster already runs: deploy refuses (a second one would clash) and names its pods
 * and the command that reads it instead, creating nothing; `collect --pod` then reads that sensor's
 * logs, and the case records that its filter is unknown (its silence proves nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploySensor } from '../../src/collect/sensor/deploy.js';
import { collectSensor } from '../../src/collect/sensor/collect-sensor.js';
import { query } from '../helpers/case.js';
import { NODES, startSensorEnv, tetragonLine, type SensorEnv } from './sensor-harness.js';

describe('podtrail sensor with a Tetragon already running', () => {
  let env: SensorEnv;
  beforeAll(async () => {
    env = await startSensorEnv({ behaviour: false });
    env.sc.addForeignDaemonSet(
      {
        metadata: { name: 'tetragon', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'tetragon' } },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/name': 'tetragon' } },
          template: { metadata: { labels: { 'app.kubernetes.io/name': 'tetragon' } }, spec: { containers: [{ name: 'export-stdout', image: 'quay.io/cilium/hubble-export-stdout:v1.1.0' }, { name: 'tetragon', image: 'quay.io/cilium/tetragon:v1.5.0' }] } },
        },
      },
      [NODES.a, NODES.b],
    );
  });
  afterAll(async () => {
    await env.c.cleanup();
  });

  it('deploy refuses, names the running pods and the collect command, and creates nothing', async () => {
    const err = await deploySensor({ ...env.opts(), kind: 'falco', dryRun: false, waitSeconds: 1, verifySeconds: 0 }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    const pods = env.sc.objects.pods!.map((p) => p.metadata.name as string).sort();
    expect(err.message).toContain('Tetragon DaemonSet kube-system/tetragon');
    for (const p of pods) expect(err.message).toContain(p);
    expect(err.message).toContain(`podtrail sensor collect ${env.c.caseDir} --kind tetragon --pod kube-system/${pods[0]}`);
    expect(env.c.api.received.filter((r) => r.method === 'POST' && r.resource !== 'selfsubjectreviews')).toEqual([]);
    const rows = await query(env.c.caseDir, `select record, state, reason from sensor_log order by record`);
    expect(rows).toEqual([{ record: 'existing-sensor', state: 'refused', reason: 'tetragon' }]);
  });

  it('collect --pod reads the sensor that runs, its filter recorded as unknown', async () => {
    const pod = env.sc.objects.pods!.find((p) => p.spec.nodeName === NODES.a)!;
    for (let i = 0; i < 5; i++) env.sc.writeLog('kube-system', pod.metadata.name, 'export-stdout', tetragonLine(NODES.a, { enriched: true }), Date.now() - 1000 + i);
    const r = await collectSensor({ ...env.opts(), kind: 'tetragon', seconds: 1, pods: [`kube-system/${pod.metadata.name}`] });
    expect(r.pods.map((p) => `${p.namespace}/${p.pod}/${p.eventsContainer}`)).toEqual([`kube-system/${pod.metadata.name}/export-stdout`]);
    expect(r.lines).toBe(5);
    const dep = await query(env.c.caseDir, `select state, filter_id, alerts_every_outbound_connect from sensor_log where record = 'deployment'`);
    expect(dep).toEqual([{ state: 'attached', filter_id: 'unknown', alerts_every_outbound_connect: null }]);
    const events = await query(env.c.caseDir, `select count(*)::INTEGER as n from runtime_events where node_name = '${NODES.a}'`);
    expect(events[0]!['n']).toBe(5);
    await expect(collectSensor({ ...env.opts(), kind: 'tetragon', seconds: 1, pods: ['kube-system/nope-123'] })).rejects.toThrow(/--pod kube-system\/nope-123: no such pod/);
  });
});
