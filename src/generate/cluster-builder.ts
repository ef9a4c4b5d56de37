import type {
  Account,
  Binding,
  Cluster,
  Container,
  ContainerSpec,
  Human,
  IamUser,
  Node,
  Owner,
  Pod,
  Profile,
  Sdk,
  SensorVersion,
  ServiceAccount,
  Workload,
} from './model.js';
import { type Ns, NS_PER_MS, NS_PER_S, hours, sec } from './ns-time.js';
import { Rng } from './prng.js';
import { accessKeyId, containerId, hex, instanceId, k8sSuffix, principalUniqueId, sha256Digest, uuid } from './ids.js';
import { newProc } from './runtime/processes.js';
import { ACCOUNT_ID, makeRole } from './aws-catalog.js';

export interface NodeOptions {
  az: number;
  nodegroup?: string;
  instanceType?: string;
  sensor?: SensorVersion | null;
  falco?: boolean;
  falcoRules?: 'stock' | 'every-connect';
  clockOffsetS?: number;
}

export interface WorkloadOptions {
  kind?: Workload['kind'];
  name: string;
  namespace: string;
  sa: ServiceAccount;
  containers: ContainerSpec[];
  profile: Profile;
  sdk?: Sdk;
  hostNetwork?: boolean;
  staticKey?: Workload['staticKey'];
  usesNodeRole?: boolean;
  labels?: Record<string, string>;
}

export interface PodOptions {
  node: Node;
  createdNs: Ns;
  deletedNs?: Ns | null;
  owner?: Owner;
  /** Force a pod name (StatefulSet ordinals, or a name reused after a delete). */
  name?: string;
  /** Force an address (an IP the CNI hands out again after its previous pod is gone). */
  ip?: string;
  /** Container specs for this pod only (a DaemonSet pod left on an older image during an upgrade). */
  specs?: ContainerSpec[];
}

/** Builds a cluster: allocates names, addresses and ids from the cluster stream, in call order. */
export class ClusterBuilder {
  readonly rng: Rng;
  readonly cluster: Cluster;
  private readonly usedIps = new Set<string>();
  private readonly owners = new Map<string, Owner>();
  private readonly digests = new Map<string, string>();
  private readonly seed: number;

  constructor(seed: number, account: Account, rng: Rng) {
    this.seed = seed;
    this.rng = rng;
    this.cluster = {
      account,
      nodes: [],
      namespaces: [],
      serviceAccounts: [],
      workloads: [],
      pods: [],
      iamUsers: [],
      humans: [],
      podIdentityAgents: new Map(),
      relays: [],
    };
    for (const svc of Object.values(account.services)) for (const ip of Object.values(svc.vpceIps)) this.usedIps.add(ip);
  }

  get account(): Account {
    return this.cluster.account;
  }

  private allocIp(subnetIndex: number): string {
    const s = this.account.subnets[subnetIndex];
    if (!s) throw new Error(`no subnet ${subnetIndex}`);
    for (;;) {
      const ip = `10.0.${this.rng.range(s.octets[0] + 2, s.octets[1])}.${this.rng.range(4, 250)}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
  }

  addNode(o: NodeOptions, createdNs: Ns): Node {
    const subnet = this.account.subnets[o.az];
    if (!subnet) throw new Error(`no subnet ${o.az}`);
    const ip = this.allocIp(o.az);
    const name = `ip-${ip.replace(/\./g, '-')}.${this.account.region}.compute.internal`;
    const bootNs = createdNs - sec(40 + this.rng.int(30));
    // The host processes need the node (for their exec ids); they are filled in just below.
    const host = { systemd: null, containerd: null, kubelet: null } as unknown as Node['host'];
    const node: Node = {
      name,
      uid: uuid(this.rng),
      instanceId: instanceId(this.rng),
      subnet,
      ip,
      ip6: null,
      nodegroup: o.nodegroup ?? 'general-2026101',
      instanceType: o.instanceType ?? 'm6i.2xlarge',
      createdNs,
      bootNs,
      sensor: o.sensor === undefined ? 'v1.6.1' : o.sensor,
      falco: o.falco ?? false,
      falcoRules: o.falcoRules ?? 'stock',
      clockOffsetNs: BigInt(Math.round((o.clockOffsetS ?? 0) * 1000)) * NS_PER_MS,
      systemUuid: `ec2${hex(this.rng, 5)}-${hex(this.rng, 4)}-${hex(this.rng, 4)}-${hex(this.rng, 4)}-${hex(this.rng, 12)}`,
      machineId: hex(this.rng, 32),
      bootId: uuid(this.rng),
      x509: hex(this.rng, 64),
      keyPhaseNs: bootNs + sec(this.rng.int(3600)),
      keys: new Map(),
      nextPid: 2000 + this.rng.int(5000),
      host,
      ecrTokenNs: null,
    };
    const systemd = newProc(node, { pod: null, container: null, binary: '/usr/lib/systemd/systemd', args: '--switched-root --system --deserialize 31', startNs: bootNs + sec(1), parent: null, pid: 1 });
    const containerd = newProc(node, { pod: null, container: null, binary: '/usr/bin/containerd', args: '', startNs: bootNs + sec(6), parent: systemd, pid: 900 + this.rng.int(400) });
    const kubelet = newProc(node, {
      pod: null,
      container: null,
      binary: '/usr/bin/kubelet',
      args: '--config /etc/kubernetes/kubelet/config.json --kubeconfig /var/lib/kubelet/kubeconfig --container-runtime-endpoint unix:///run/containerd/containerd.sock --node-ip=' + ip,
      startNs: bootNs + sec(9),
      parent: systemd,
      pid: 1400 + this.rng.int(400),
    });
    node.host = { systemd, containerd, kubelet };
    this.cluster.nodes.push(node);
    return node;
  }

  addNamespace(ns: string): void {
    if (!this.cluster.namespaces.includes(ns)) this.cluster.namespaces.push(ns);
  }

  addServiceAccount(namespace: string, name: string, binding: Binding, createdNs: Ns): ServiceAccount {
    this.addNamespace(namespace);
    const existing = this.cluster.serviceAccounts.find((s) => s.namespace === namespace && s.name === name);
    if (existing) return existing;
    const sa: ServiceAccount = { name, namespace, uid: uuid(this.rng), createdNs, binding };
    this.cluster.serviceAccounts.push(sa);
    return sa;
  }

  /** Every namespace has its "default" service account. */
  ensureDefaultServiceAccounts(createdNs: Ns): void {
    for (const ns of [...this.cluster.namespaces].sort()) this.addServiceAccount(ns, 'default', { kind: 'none' }, createdNs);
  }

  irsaRole(name: string): Binding {
    return { kind: 'irsa', role: makeRole(this.rng, this.account.infix, name) };
  }

  podIdentityRole(name: string): Binding {
    return { kind: 'pod-identity', role: makeRole(this.rng, this.account.infix, name), associationId: `a-${k8sSuffix(this.rng, 17)}` };
  }

  addIamUser(name: string): IamUser {
    const user: IamUser = { name, arn: `arn:aws:iam::${ACCOUNT_ID}:user/${name}`, id: principalUniqueId(this.rng, 'AIDA', this.account.infix) };
    this.cluster.iamUsers.push(user);
    return user;
  }

  akia(): string {
    return accessKeyId(this.rng, 'AKIA', this.account.infix);
  }

  addHuman(name: string, ip: string, groups: string[], os: 'macos' | 'linux'): Human {
    const ssoRole = makeRole(this.rng, this.account.infix, `AWSReservedSSO_PlatformAdmin_${hex(this.rng, 16)}`, `aws-reserved/sso.amazonaws.com/${this.account.region}/`);
    const awsAgent =
      os === 'macos'
        ? 'aws-cli/2.17.51 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off'
        : 'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off';
    const human: Human = {
      name,
      ip,
      kubeGroups: groups,
      kubectlAgent: os === 'macos' ? 'kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46' : 'kubectl/v1.30.5 (linux/amd64) kubernetes/74e84a9',
      awsAgent,
      iamArn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${ssoRole.name}/${name}`,
      principalId: `${ssoRole.id}:${name}`,
      awsKey: accessKeyId(this.rng, 'ASIA', this.account.infix),
      ssoRole,
    };
    this.cluster.humans.push(human);
    return human;
  }

  addWorkload(o: WorkloadOptions): Workload {
    this.addNamespace(o.namespace);
    const wl: Workload = {
      kind: o.kind ?? 'Deployment',
      name: o.name,
      namespace: o.namespace,
      uid: uuid(this.rng),
      labels: o.labels ?? { 'app.kubernetes.io/name': o.name },
      sa: o.sa,
      hostNetwork: o.hostNetwork ?? false,
      containers: o.containers,
      profile: o.profile,
      sdk: o.sdk ?? 'none',
      staticKey: o.staticKey ?? null,
      usesNodeRole: o.usesNodeRole ?? false,
      relay: null,
    };
    this.cluster.workloads.push(wl);
    return wl;
  }

  /** The owner of a workload's pods: its current ReplicaSet, or a new one for a rollout. */
  owner(wl: Workload, revision = 0): Owner {
    const key = `${wl.namespace}/${wl.name}/${revision}`;
    const found = this.owners.get(key);
    if (found) return found;
    if (wl.kind === 'CronJob') throw new Error(`${wl.name}: a CronJob's pods are given their Job as owner`);
    const kind: Owner['kind'] = wl.kind === 'Deployment' ? 'ReplicaSet' : wl.kind;
    const hash = wl.kind === 'Deployment' ? k8sSuffix(this.rng, 10) : null;
    const owner: Owner = { kind, name: hash ? `${wl.name}-${hash}` : wl.name, uid: wl.kind === 'Deployment' ? uuid(this.rng) : wl.uid, hash };
    this.owners.set(key, owner);
    return owner;
  }

  /** Image digest of a container for an owner revision; a rollout may re-push the same tag. */
  digest(wl: Workload, spec: ContainerSpec, revision: number): string {
    const key = `${wl.namespace}/${wl.name}/${spec.name}/${revision}`;
    let d = this.digests.get(key);
    if (!d) {
      d = sha256Digest(this.rng);
      this.digests.set(key, d);
    }
    return d;
  }

  addPod(wl: Workload, o: PodOptions, revision = 0): Pod {
    const owner = o.owner ?? this.owner(wl, revision);
    let name = o.name;
    if (!name) {
      if (owner.kind === 'ReplicaSet' || owner.kind === 'Job') name = `${owner.name}-${k8sSuffix(this.rng, 5)}`;
      else if (owner.kind === 'DaemonSet') name = `${wl.name}-${k8sSuffix(this.rng, 5)}`;
      else name = `${wl.name}-${this.cluster.pods.filter((p) => p.workload === wl).length}`;
    }
    const ip = wl.hostNetwork ? o.node.ip : (o.ip ?? this.allocIp(this.account.subnets.indexOf(o.node.subnet)));
    if (o.ip) this.usedIps.add(o.ip);
    const startedNs = o.createdNs + sec(3 + this.rng.int(5)) + BigInt(this.rng.int(1_000_000)) * 1000n;
    const containers: Container[] = (o.specs ?? wl.containers).map((spec, i) => ({
      spec,
      id: containerId(this.rng),
      digest: this.digest(wl, spec, o.specs ? revision + 1000 : revision),
      startNs: startedNs + BigInt(i) * 200n * NS_PER_MS,
      nextNsPid: 7 + this.rng.int(20),
    }));
    const uid = uuid(this.rng);
    const pod: Pod = {
      uid,
      name,
      namespace: wl.namespace,
      workload: wl,
      owner,
      node: o.node,
      ip,
      ip6: null,
      createdNs: o.createdNs,
      startedNs,
      deletedNs: o.deletedNs ?? null,
      containers,
      rng: Rng.stream(this.seed, `pod:${uid}`),
      state: { shim: null, main: null, jti: null, irsa: null, podIdentity: null, imdsKey: null, next: new Map() },
    };
    this.cluster.pods.push(pod);
    return pod;
  }

  /** A creation instant some days before the span (pods that were already running). */
  longAgo(spanFrom: Ns): Ns {
    return spanFrom - hours(20 + this.rng.int(60)) - BigInt(this.rng.int(3600)) * NS_PER_S;
  }
}
