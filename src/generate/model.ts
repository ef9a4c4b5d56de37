import type { Ns } from './ns-time.js';
import type { Rng } from './prng.js';

/** The synthetic cluster and its AWS account: plain data, built by a scenario, read by emitters. */

export interface IamRole {
  name: string;
  arn: string;
  /** AROA… unique id. */
  id: string;
}

export interface IamUser {
  name: string;
  arn: string;
  /** AIDA… unique id. */
  id: string;
}

export interface Nat {
  label: string;
  publicIp: string;
}

export interface Subnet {
  az: string;
  cidr: string;
  /** Third octet range [lo, hi] of the /19 (10.0.lo.0 .. 10.0.hi.255). */
  octets: [number, number];
  nat: Nat;
}

/** How a call from inside the VPC reaches a service, which decides CloudTrail's sourceIPAddress. */
export type Route = 'vpce' | 's3-gateway' | 'nat';

export interface AwsService {
  key: string;
  eventSource: string;
  host: string;
  /** Region whose trail records the events (us-east-1 for IAM, a global service). */
  region: string;
  route: Route;
  vpceId: string | null;
  /** Interface endpoint ENI address per availability zone. */
  vpceIps: Record<string, string>;
  /** Public addresses a connect reaches (through NAT, or S3 addresses routed to a gateway endpoint). */
  publicIps: string[];
  /** Public ranges declared in case.yaml for this service. */
  publicCidrs: string[];
  /** Dual stack (property "ipv6", empty otherwise): the interface endpoint's IPv6 address per AZ, the service's public IPv6 addresses and range. */
  vpceIps6: Record<string, string>;
  publicIps6: string[];
  publicCidrs6: string[];
}

export interface Account {
  id: string;
  /** Eight base32 characters shared by this account's key ids and unique ids. */
  infix: string;
  region: string;
  clusterName: string;
  clusterArn: string;
  oidcIssuerId: string;
  oidcProviderArn: string;
  nodeRole: IamRole;
  services: Record<string, AwsService>;
  nats: Nat[];
  subnets: Subnet[];
  /** The trail's bucket name, for the S3 key layout only. */
  trailBucket: string;
}

export type SensorVersion = 'v1.6.1' | 'v1.4.2';

export interface Node {
  name: string;
  uid: string;
  instanceId: string;
  subnet: Subnet;
  ip: string;
  /** The node's IPv6 address (property "ipv6": a dual-stack node), else null. */
  ip6: string | null;
  nodegroup: string;
  instanceType: string;
  createdNs: Ns;
  bootNs: Ns;
  /** Tetragon version on this node, or null for no runtime sensor at all. */
  sensor: SensorVersion | null;
  falco: boolean;
  /** Falco's rule set here: the stock rules (only the metadata service and AWS API rules fire on
   * connects; the analyst cannot know its silence means nothing) or one that alerts on every outbound connect. */
  falcoRules: 'stock' | 'every-connect';
  /** Node clock minus true time, applied to every runtime timestamp the node writes. */
  clockOffsetNs: Ns;
  systemUuid: string;
  machineId: string;
  bootId: string;
  /** The kubelet client certificate id (audit credential-id X509SHA256=…). */
  x509: string;
  /** Node role credential rotation: a new key every hour from this phase. */
  keyPhaseNs: Ns;
  keys: Map<number, string>;
  nextPid: number;
  host: HostProcs;
  /** Last ECR token fetch by the kubelet credential provider. */
  ecrTokenNs: Ns | null;
}

export interface HostProcs {
  systemd: Proc;
  containerd: Proc;
  kubelet: Proc;
}

export type Binding =
  | { kind: 'irsa'; role: IamRole }
  | { kind: 'pod-identity'; role: IamRole; associationId: string }
  | { kind: 'none' };

export interface ServiceAccount {
  name: string;
  namespace: string;
  uid: string;
  createdNs: Ns;
  binding: Binding;
}

export interface ContainerSpec {
  name: string;
  imageRepo: string;
  tag: string;
  binary: string;
  args: string;
  cwd: string;
  uid: number;
  ports: number[];
}

/** Which AWS SDK a workload embeds: user agent and IRSA session naming follow from it. */
export type Sdk = 'boto3' | 'go-v2' | 'go-v1' | 'java' | 'none';

export type ApiName =
  | 'sm.GetSecretValue'
  | 'sm.ListSecrets'
  | 's3.PutObject'
  | 's3.GetObject'
  | 's3.ListBuckets'
  | 'ssm.GetParameters'
  | 'asg.DescribeAutoScalingGroups'
  | 'ec2.DescribeNetworkInterfaces'
  | 'ec2.DescribeInstances'
  | 'ec2.DescribeTags'
  | 'ecr.DescribeImages'
  | 'iam.ListAttachedUserPolicies'
  | 'iam.ListAttachedRolePolicies'
  | 'iam.ListUsers'
  | 'iam.CreateAccessKey'
  | 'eks.DescribeCluster'
  | 'ecr.GetAuthorizationToken'
  | 'kms.Decrypt'
  | 'sqs.SendMessage';

export interface AwsUse {
  api: ApiName;
  perMin: number;
  /** Share of calls sent on a kept-alive connection: no connect event, no runtime evidence. */
  keepAlive: number;
  params: Record<string, string>;
}

export type KubeUseKind = 'lease' | 'get-configmap' | 'list-pods' | 'get-node' | 'list-endpointslices';

export interface KubeUse {
  kind: KubeUseKind;
  perMin: number;
  name: string;
}

export interface Peer {
  /** A workload whose live pod IP is the destination, any node's IP, or a fixed address. */
  workload?: string;
  nodes?: boolean;
  ip?: string;
  port: number;
}

/** Background behaviour of every pod of a workload; runtime rates are scaled to the event budget. */
export interface Profile {
  connectsPerMin: number;
  peers: Peer[];
  probeEverySec: number;
  probe: [string, string] | null;
  jobsPerMin: number;
  job: { binary: string; args: string; peers: Peer[] } | null;
  aws: AwsUse[];
  kube: KubeUse[];
  /** Calls to IMDS (hostNetwork agents refreshing the node role). */
  imdsPerMin: number;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  sa: ServiceAccount;
  hostNetwork: boolean;
  containers: ContainerSpec[];
  profile: Profile;
  sdk: Sdk;
  /** Long-term IAM user key mounted from a Secret (static-key path). */
  staticKey: { user: IamUser; keyId: string } | null;
  /** The node role reached through IMDS by a workload with no pod-level binding. */
  usesNodeRole: boolean;
  /** Its AWS requests leave through this relay (proxy or egress gateway), else straight out. */
  relay: Relay | null;
}

/**
 * An in-cluster way out: an HTTP CONNECT proxy (clients connect to it, it connects on) or a mesh
 * egress gateway (the app connects to the service address, its sidecar intercepts and connects to
 * the gateway, the gateway connects on). CloudTrail sees the relay's address, never the client's.
 */
export interface Relay {
  kind: 'proxy' | 'egress-gateway';
  workload: Workload;
  pods: Pod[];
  /** What the client's connect shows: the relay's pod IP (mesh sidecars, socket-level load balancing) or its Service cluster IP. */
  front: 'pod-ip' | 'cluster-ip';
  clusterIp: string;
  port: number;
}

/** One ReplicaSet (or the StatefulSet / DaemonSet itself, or a CronJob's Job) that owns pods. */
export interface Owner {
  kind: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';
  name: string;
  uid: string;
  /** pod-template-hash for ReplicaSets. */
  hash: string | null;
}

export interface Container {
  spec: ContainerSpec;
  id: string;
  digest: string;
  startNs: Ns;
  nextNsPid: number;
}

export interface Pod {
  uid: string;
  name: string;
  namespace: string;
  workload: Workload;
  owner: Owner;
  node: Node;
  ip: string;
  /** The pod's IPv6 address (property "ipv6": a pod on a dual-stack node), else null. */
  ip6: string | null;
  createdNs: Ns;
  startedNs: Ns;
  deletedNs: Ns | null;
  containers: Container[];
  /** Per-pod stream for background timing. */
  rng: Rng;
  state: PodState;
}

/** What changes while the generator runs: processes, tokens, credentials. */
export interface PodState {
  shim: Proc | null;
  main: Proc | null;
  /** JTI the pod's API client currently presents, and when it switches to the next. */
  jti: string | null;
  irsa: Cred | null;
  podIdentity: Cred | null;
  /** The node-role key this pod's SDK last fetched from the instance metadata service. */
  imdsKey: string | null;
  next: Map<string, Ns>;
}

export interface Proc {
  node: Node;
  pod: Pod | null;
  container: Container | null;
  pid: number;
  nsPid: number;
  binary: string;
  args: string;
  cwd: string;
  uid: number;
  startNs: Ns;
  execId: string;
  parent: Proc | null;
  flags: string;
  probe: boolean;
  tty: boolean;
  /** Rendered Tetragon Process object, cached: a process is printed once per event it appears in. */
  json: string | null;
}

export type CredKind = 'irsa' | 'pod-identity' | 'node-role' | 'iam-user' | 'sso';

/** Credentials a caller signs with; the userIdentity of every call made with them follows. */
export interface Cred {
  kind: CredKind;
  keyId: string;
  role: IamRole | null;
  session: string | null;
  creationNs: Ns | null;
  user: IamUser | null;
  node: Node | null;
  /** A chained session (AssumeRole called with another key): that parent key. */
  parentKeyId?: string;
}

export interface Human {
  name: string;
  ip: string;
  kubeGroups: string[];
  kubectlAgent: string;
  awsAgent: string;
  /** IAM identity the EKS authenticator maps, shown in audit user.extra. */
  iamArn: string;
  principalId: string;
  awsKey: string;
  ssoRole: IamRole;
}

export interface Cluster {
  account: Account;
  nodes: Node[];
  namespaces: string[];
  serviceAccounts: ServiceAccount[];
  workloads: Workload[];
  pods: Pod[];
  iamUsers: IamUser[];
  humans: Human[];
  /** kube-system pods that serve other pods (EKS Pod Identity Agent per node). */
  podIdentityAgents: Map<string, Pod>;
  /** Proxies and egress gateways some workloads reach AWS through. */
  relays: Relay[];
}
