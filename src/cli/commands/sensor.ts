import { Command as Cmd, type Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../program.js';
import { createClock } from '../../core/clock.js';
import { parseDurationSeconds } from '../../core/duration.js';
import { interruptOnSignals } from '../../collect/common/interrupt.js';
import type { SensorKind } from '../../collect/sensor/sensor-kind.js';
import { collect as many } from '../options.js';
import { summaryLine } from '../../ingest/summary.js';
import type { IngestResult } from '../../ingest/ingest-case.js';

type Common = { kind?: string; kubeconfig?: string; context?: string; inCluster?: true; operator?: string; asOf?: string; requestTimeout: string };

function withCommon(c: Cmd): Cmd {
  return c
    .argument('<case>', 'case folder (created by podtrail init)')
    .option('--kind <sensor>', 'the sensor: tetragon or falco (required)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--in-cluster', "use the pod's service account (when podtrail runs in the cluster)")
    .option('--request-timeout <duration>', 'give up on a request that has not answered in this time', '60s')
    .option('--operator <name>', 'who collects the evidence (default: the OS user)')
    .option('--as-of <iso>', 'pin the clock for acquisition times (or PODTRAIL_AS_OF); receive times stay real') as unknown as Cmd;
}

/** --kind, checked here so that a missing or unknown one is a usage error (exit 2) naming it. */
function kindOf(o: Common): SensorKind {
  if (o.kind === 'tetragon' || o.kind === 'falco') return o.kind;
  throw new UsageError(o.kind === undefined ? '--kind tetragon|falco is required' : `--kind: "${o.kind}" is not tetragon or falco`);
}

function common(io: Io, caseDir: string, o: Common, signal: AbortSignal) {
  return {
    kind: kindOf(o),
    caseDir,
    kube: { kubeconfig: o.kubeconfig ?? null, context: o.context ?? null, inCluster: o.inCluster === true },
    operator: o.operator ?? null,
    clock: createClock(o.asOf),
    timeoutMs: parseDurationSeconds(o.requestTimeout, '--request-timeout') * 1000,
    log: (line: string) => io.err(`${line}\n`),
    signal,
  };
}

function landed(io: Io, r: IngestResult | null): void {
  if (r) for (const f of r.files) io.out(`${summaryLine(f)}\n`);
}

async function withInterrupt<T>(io: Io, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = interruptOnSignals((sig) => io.err(`${sig}: stopping; recording what was done (again to quit at once)\n`));
  try {
    return await f(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

export function registerSensor(program: Command, io: Io): void {
  const sensor = program.command('sensor').description('deploy a pinned Tetragon or Falco for the incident, read it, remove it and prove nothing is left');
  sensor.addCommand(
    withCommon(new Cmd('deploy').description('render the sensor manifests (--dry-run prints them) and deploy them: a sensor pod on every node, verified'))
      .option('--dry-run', 'print the manifests for change approval; create nothing')
      .option('--wait <duration>', 'how long to wait for a sensor pod on every node', '5m')
      .option('--verify <duration>', 'how long to read the sensor after it runs, to verify enrichment and node clocks (0s: skip)', '60s')
      .addHelpText('after', '\nExamples:\n  podtrail sensor deploy incident-42 --kind tetragon --dry-run > sensor.yaml\n  podtrail sensor deploy incident-42 --kind tetragon --context prod-eu\n\nThe role it needs: deploy/podtrail-sensor-clusterrole.yaml. See docs/sensor.md.')
      .action((async (caseDir: string, o: Common & { dryRun?: true; wait: string; verify: string }) => {
        await withInterrupt(io, async (signal) => {
          const { deploySensor } = await import('../../collect/sensor/deploy.js'); // client-node loads only for this command
          const r = await deploySensor({ ...common(io, caseDir, o, signal), dryRun: o.dryRun === true, waitSeconds: parseDurationSeconds(o.wait, '--wait'), verifySeconds: parseDurationSeconds(o.verify, '--verify') });
          if (r.dryRun) {
            io.out(`# podtrail sensor deploy --dry-run: ${r.rendered.objects.length} objects, manifests sha256 ${r.rendered.sha256}\n# filter ${r.rendered.filter.filter_id} (sha256 ${r.rendered.filter_sha256}); image ${r.rendered.pin.image}:${r.rendered.pin.tag}@${r.rendered.pin.digest} (${r.rendered.pin.verified})\n---\n${r.rendered.yaml}`);
            return;
          }
          io.out(`deployment ${r.deploymentId}: ${r.rendered.kind} ${r.rendered.pin.version} in namespace ${r.rendered.namespace} as ${r.identity}\n`);
          for (const n of r.nodes) io.out(`${(n.state === 'running' ? 'running' : 'no-sensor').padEnd(10)} ${n.node}${n.reason ? ` (${n.reason})` : ''}: ${n.message}\n`);
          landed(io, r.ingest);
        });
      }) as never),
  );
  sensor.addCommand(
    withCommon(new Cmd('collect').description("follow the sensor pods' export logs (timestamps, reconnects, no duplicates), one events file per node, and land them"))
      .option('--for <duration>', 'how long to follow the logs', '10m')
      .option('--pod <namespace/name>', 'a pod of a sensor podtrail did not deploy (repeat for each)', many, [] as string[])
      .option('--container <name>', 'its events container (default: export-stdout for tetragon, falco for falco)')
      .addHelpText('after', '\nExamples:\n  podtrail sensor collect incident-42 --kind tetragon --for 30m\n  podtrail sensor collect incident-42 --kind tetragon --pod kube-system/tetragon-7xk2p --pod kube-system/tetragon-b9q4d')
      .action((async (caseDir: string, o: Common & { for: string; pod: string[]; container?: string }) => {
        await withInterrupt(io, async (signal) => {
          const { collectSensor } = await import('../../collect/sensor/collect-sensor.js'); // client-node loads only for this command
          const r = await collectSensor({ ...common(io, caseDir, o, signal), seconds: parseDurationSeconds(o.for, '--for'), pods: o.pod, container: o.container ?? null });
          io.out(`deployment ${r.deploymentId} run ${r.run}: ${r.pods.length} sensor pods, ${r.lines} event lines in all, ${r.duplicates} duplicates dropped\n`);
          landed(io, r.ingest);
        });
      }) as never),
  );
  sensor.addCommand(
    withCommon(new Cmd('remove').description('delete exactly what deploy created and prove it: every list by the deployment label empty'))
      .option('--wait <duration>', 'how long to wait for the objects to be gone', '5m')
      .action((async (caseDir: string, o: Common & { wait: string }) => {
        await withInterrupt(io, async (signal) => {
          const { removeSensor } = await import('../../collect/sensor/remove.js'); // client-node loads only for this command
          const r = await removeSensor({ ...common(io, caseDir, o, signal), waitSeconds: parseDurationSeconds(o.wait, '--wait') });
          io.out(`deployment ${r.deploymentId}: removed; manifests deployed ${r.deployedSha256} = removed ${r.removedSha256}; every list by label is empty\n`);
          landed(io, r.ingest);
        });
      }) as never),
  );
}
