import type { AwsUse, ContainerSpec, KubeUse, Peer, Profile } from './model.js';

/** Background behaviours of the workloads the scenarios deploy, and their container specs. */

export function profile(p: Partial<Profile>): Profile {
  return {
    connectsPerMin: 0,
    peers: [],
    probeEverySec: 10,
    probe: null,
    jobsPerMin: 0,
    job: null,
    aws: [],
    kube: [],
    imdsPerMin: 0,
    ...p,
  };
}

export function aws(api: AwsUse['api'], perMin: number, params: Record<string, string> = {}, keepAlive = 0.2): AwsUse {
  return { api, perMin, keepAlive, params };
}

export function kube(kind: KubeUse['kind'], perMin: number, name = ''): KubeUse {
  return { kind, perMin, name };
}

export const API_SERVER: Peer = { ip: '172.20.0.1', port: 443 };

export function container(name: string, repo: string, tag: string, binary: string, args: string, o: Partial<ContainerSpec> = {}): ContainerSpec {
  return { name, imageRepo: repo, tag, binary, args, cwd: o.cwd ?? '/', uid: o.uid ?? 0, ports: o.ports ?? [] };
}

/** Runtime events per minute a profile yields before scaling (connects, probe and job exec/exit pairs). */
export function runtimeEventsPerMin(p: Profile): number {
  const probes = p.probe ? (2 * 60) / p.probeEverySec : 0;
  const jobs = p.job ? p.jobsPerMin * (2 + Math.max(1, p.job.peers.length)) : 0;
  return p.connectsPerMin + probes + jobs + p.imdsPerMin * 2;
}
