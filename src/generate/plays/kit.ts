import type { ApiName, Cred, Human, Pod, Proc } from '../model.js';
import { type Ns, isoSeconds, ms } from '../ns-time.js';
import type { World } from '../world.js';
import type { TruthPath, WhyNotPod } from '../truth.js';
import { agentAddr, connect, exit, spawn } from '../runtime/actions.js';
import { assumeRoleWithWebIdentity, irsaSessionName } from '../cloud/sts.js';
import { awsCall } from '../cloud/aws-call.js';
import { cliAgent } from '../cloud/user-agents.js';

/** Building blocks of the incidents: a shell, its commands, the AWS CLI, and the incident's truth. */

export const AWS_CLI = '/usr/local/aws-cli/v2/2.18.4/dist/aws';

export function registerIncident(
  w: World,
  play: string,
  pod: Pod,
  o: { human: Human | null; path: TruthPath; from: Ns; to: Ns; summary: string; attackerIps: string[] },
): void {
  w.truth.addIncident({
    play,
    summary: o.summary,
    pod_uid: pod.uid,
    pod_name: pod.name,
    namespace: pod.namespace,
    service_account: pod.workload.sa.name,
    node: pod.node.name,
    human: o.human?.name ?? null,
    path: o.path,
    started_at: isoSeconds(o.from),
    ended_at: isoSeconds(o.to),
    cloud_event_ids: [],
    audit_ids: [],
    attacker_ips: o.attackerIps,
  });
}

/** A short command run from a shell (or any parent) in the pod's first container. */
export function command(w: World, pod: Pod, parent: Proc, at: Ns, binary: string, args: string, durationMs: number, status = 0): Ns {
  const c = pod.containers[0];
  if (!c) return at;
  const p = spawn(w, pod.node, { pod, container: c, binary, args, cwd: parent.cwd, uid: parent.uid, startNs: at, parent });
  const end = at + ms(durationMs);
  exit(w, p, end, status);
  return end;
}

export interface CliCall {
  api: ApiName;
  params?: Record<string, string>;
  error?: { code: string; message: string };
}

export interface CliRun {
  pod: Pod;
  parent: Proc;
  at: Ns;
  args: string;
  /** service.operation for the user agent (md/command#…). */
  uaCommand: string;
  /** 'irsa': the CLI assumes the role with the pod's web identity token first; 'pod-identity': asks the agent. */
  creds: 'irsa' | 'pod-identity' | Cred;
  calls: CliCall[];
  play: string;
  path: TruthPath;
}

/** One `aws …` process: exec, its credential step, a connect before each call, exit. */
export function awsCli(w: World, r: CliRun): Ns {
  const c = r.pod.containers[0];
  if (!c) return r.at;
  const proc = spawn(w, r.pod.node, { pod: r.pod, container: c, binary: AWS_CLI, args: r.args, cwd: r.parent.cwd, uid: r.parent.uid, startNs: r.at, parent: r.parent });
  let t = r.at + ms(320 + w.rng.int(200));
  const ua = cliAgent(r.uaCommand);
  const truth = { madeBy: r.pod.uid, path: r.path, why: null, incident: true, play: r.play };
  let cred: Cred | null = null;
  if (r.creds === 'irsa') {
    const issued = assumeRoleWithWebIdentity(w, { pod: r.pod, caller: { kind: 'proc', proc, fresh: true }, at: t, session: irsaSessionName('cli', t), userAgent: ua, truth });
    cred = issued.cred;
    t = issued.doneAt;
  } else if (r.creds === 'pod-identity') {
    connect(w, proc, t, agentAddr(proc), 80, 'plain');
    cred = r.pod.state.podIdentity;
    t += ms(4 + w.rng.int(6));
  } else {
    cred = r.creds;
  }
  let failed = false;
  if (cred) {
    for (const call of r.calls) {
      const res = awsCall(w, { api: call.api, params: call.params ?? {}, cred, caller: { kind: 'proc', proc, fresh: true }, at: t, userAgent: ua, truth, ...(call.error ? { error: call.error } : {}) });
      t = res.doneAt;
      if (call.error) failed = true;
    }
  }
  const end = t + ms(30 + w.rng.int(60));
  exit(w, proc, end, failed ? 254 : 0);
  return end;
}

/** Calls made from outside the cluster (credentials lifted from a pod, or a person's own); `play` null = not part of an incident. */
export function externalCalls(w: World, at: Ns, ip: string, cred: Cred, userAgent: string, calls: CliCall[], play: string | null, path: TruthPath, why: WhyNotPod = 'external-attacker'): Ns {
  let t = at;
  for (const call of calls) {
    const r = awsCall(w, {
      api: call.api,
      params: call.params ?? {},
      cred,
      caller: { kind: 'external', ip },
      at: t,
      userAgent,
      truth: { madeBy: null, path, why, incident: play !== null, play },
      ...(call.error ? { error: call.error } : {}),
    });
    t = r.doneAt + ms(800 + w.rng.int(4000));
  }
  return t;
}

export const ATTACKER_AGENT =
  'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1024-kali md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off';
