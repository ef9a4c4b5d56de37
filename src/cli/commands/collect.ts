import { Command as Cmd, type Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { createClock } from '../../core/clock.js';
import { parseDurationSeconds } from '../../core/duration.js';
import { CliError, UsageError } from '../../core/errors.js';
import { interruptOnSignals } from '../../collect/common/interrupt.js';
import { summaryText } from '../../cloudtrail-digest/materialize.js';
import { summaryLine, summaryTotals } from '../../ingest/summary.js';

function collectAll(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--page-size: "${v}" is not a positive integer`);
  return n;
}

export function registerCollect(program: Command, io: Io): void {
  const collect = program.command('collect').description('collect evidence live from a cluster or a cloud, with every request in custody');
  collect.addCommand(
    new Cmd('k8s')
      .description('snapshot nodes, pods and service accounts from the API server (and watch pods with --watch), then land them')
      .argument('<case>', 'case folder (created by podtrail init)')
      .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
      .option('--context <name>', 'kubeconfig context (default: the current context)')
      .option('--in-cluster', "use the pod's service account (when podtrail runs in the cluster)")
      .option('--watch <duration>', 'keep a pod watch open this long (e.g. 30m), then snapshot again; Ctrl-C stops it early')
      .option('--new', 'start a new collection even if an unfinished one from this cluster could be continued')
      .option('--page-size <n>', 'objects per List page (limit)', positiveInt, 500)
      .option('--request-timeout <duration>', 'give up on a request that has not answered in this time', '60s')
      .option('--operator <name>', 'who collects the evidence (default: the OS user)')
      .option('--as-of <iso>', 'pin the clock for acquisition times (or PODTRAIL_AS_OF); receive times stay real')
      .addHelpText('after', '\nExamples:\n  podtrail collect k8s incident-42 --context prod-eu --watch 2h\n  podtrail collect k8s incident-42 --in-cluster\n\nThe read-only ClusterRole it needs: deploy/podtrail-collector-clusterrole.yaml. See docs/collect.md.')
      .action(async (caseDir, o) => {
        const watchSeconds = o.watch === undefined ? null : parseDurationSeconds(o.watch, '--watch');
        if (watchSeconds !== null && watchSeconds <= 0) throw new UsageError('--watch: give a positive duration (e.g. 30m)');
        const interrupt = interruptOnSignals((sig) => io.err(`${sig}: stopping; recording what was collected (again to quit at once)\n`));
        try {
          // client-node loads only for this command: every other command starts with a small heap
          const { collectK8s } = await import('../../collect/k8s/collect-k8s.js');
          const r = await collectK8s({
            caseDir,
            kube: { kubeconfig: o.kubeconfig ?? null, context: o.context ?? null, inCluster: o.inCluster === true },
            watchSeconds,
            fresh: o.new === true,
            pageSize: o.pageSize,
            timeoutMs: parseDurationSeconds(o.requestTimeout, '--request-timeout') * 1000,
            operator: o.operator ?? null,
            clock: createClock(o.asOf),
            log: (line) => io.err(`${line}\n`),
            signal: interrupt.signal,
          });
          io.out(`collection ${r.collectionId} run ${r.run} from ${r.server} as ${r.identity} (${r.identitySource})\n`);
          for (const s of r.steps) io.out(`${s.state.padEnd(9)} ${s.step}: ${s.detail}\n`);
          if (r.ingest) {
            for (const f of r.ingest.files) io.out(`${summaryLine(f)}\n`);
            io.err(`${summaryTotals(r.ingest)}\n`);
          }
          if (r.interrupted) throw new CliError(`collection ${r.collectionId} interrupted: what was collected is landed; run the same command to continue it`);
          if (r.failure) throw new CliError(`collection ${r.collectionId} stopped: ${r.failure}; what was collected is landed, run the same command to continue`);
          if (!r.complete) throw new CliError(`collection ${r.collectionId} incomplete: ${r.steps.filter((s) => s.state !== 'done').map((s) => `${s.step} ${s.state}`).join(', ')} (recorded as gaps)`);
        } finally {
          interrupt.dispose();
        }
      }),
  );
  collect.addCommand(
    new Cmd('aws')
      .description('collect CloudTrail for the case window (LookupEvents; with --trail the log and digest files from S3 and the public keys), every request in custody, then land and validate them')
      .argument('<case>', 'case folder (created by podtrail init)')
      .option('--profile <name>', 'named profile of the AWS config and credentials files (default: the SDK default chain: environment, AWS_PROFILE, SSO, roles)')
      .option('--region <region>', 'a region to collect (repeatable; default $AWS_REGION); us-east-1 is always added: IAM, the global STS endpoint and sign-in record there', collectAll, [])
      .option('--trail <s3url>', 'the trail bucket: s3://bucket[/prefix] (log files, digest files and their signatures)')
      .option('--event-source <source>', 'one LookupEvents scan per source, e.g. sts.amazonaws.com (repeatable; default: all management events)', collectAll, [])
      .option('--account <id>', 'an account whose trail files to read from an organization or log-archive bucket (repeatable; default: the caller\'s)', collectAll, [])
      .option('--cluster <name>', 'the EKS cluster (in the first --region): its network and identity inventory (instances, ENIs, NAT gateways, EIPs, route tables, VPC endpoints, Pod Identity associations, role trust) and its audit log from CloudWatch Logs')
      .option('--role <arn>', 'another IAM role whose trust policy to read (repeatable; the associations\' roles and the IRSA roles of the case\'s service accounts are read anyway)', collectAll, [])
      .option('--new', 'start a new collection even if an unfinished one with the same options could be continued')
      .option('--request-timeout <duration>', 'give up on a request that has not answered in this time', '60s')
      .option('--operator <name>', 'who collects the evidence (default: the OS user)')
      .option('--as-of <iso>', 'pin the clock for acquisition times (or PODTRAIL_AS_OF); receive times stay real')
      .addHelpText('after', '\nExamples:\n  podtrail collect aws incident-42 --profile ir --region us-west-2 --trail s3://org-trail-logs/prod\n  podtrail collect aws incident-42 --region us-west-2 --cluster prod-eks\n  podtrail collect aws incident-42 --region eu-west-1 --event-source sts.amazonaws.com --event-source iam.amazonaws.com\n\nThe read-only IAM policy it needs: deploy/podtrail-collector-aws-policy.json. See docs/collect.md.')
      .action(async (caseDir, o) => {
        const interrupt = interruptOnSignals((sig) => io.err(`${sig}: stopping; recording what was collected (again to quit at once)\n`));
        try {
          // loaded when used: the AWS SDK is large, and every other command (query's bounded-memory path) starts without it
          const { collectAws } = await import('../../collect/aws/collect-aws.js');
          const r = await collectAws({
            caseDir,
            profile: o.profile ?? null,
            regions: o.region,
            eventSources: o.eventSource,
            trail: o.trail ?? null,
            accounts: o.account,
            cluster: o.cluster ?? null,
            roles: o.role,
            fresh: o.new === true,
            timeoutMs: parseDurationSeconds(o.requestTimeout, '--request-timeout') * 1000,
            operator: o.operator ?? null,
            clock: createClock(o.asOf),
            log: (line) => io.err(`${line}\n`),
            signal: interrupt.signal,
          });
          io.out(`collection ${r.collectionId} run ${r.run} as ${r.identity}\n`);
          for (const s of r.steps) io.out(`${s.state.padEnd(9)} ${s.step}: ${s.detail}\n`);
          if (r.ingest) {
            for (const f of r.ingest.files) io.out(`${summaryLine(f)}\n`);
            if (r.ingest.trail) io.out(`${summaryText(r.ingest.trail)}\n`);
            io.err(`${summaryTotals(r.ingest)}\n`);
          }
          if (r.interrupted) throw new CliError(`collection ${r.collectionId} interrupted: what was collected is landed; run the same command to continue it`);
          if (r.failure) throw new CliError(`collection ${r.collectionId} stopped: ${r.failure}; what was collected is landed, run the same command to continue`);
          if (!r.complete) throw new CliError(`collection ${r.collectionId} incomplete: ${r.steps.filter((s) => s.state !== 'done').map((s) => `${s.step} ${s.state}`).join(', ')} (recorded as gaps)`);
        } finally {
          interrupt.dispose();
        }
      }),
  );
}
