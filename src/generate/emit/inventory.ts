import type { Cluster, Node, Pod, ServiceAccount } from '../model.js';
import { type Ns, NS_PER_S, fileStamp, isoSeconds, sec } from '../ns-time.js';
import { writeWhole } from '../writer.js';

/**
 * `kubectl get nodes|pods|serviceaccounts -o json` at several instants: a client-side List with
 * keys sorted and 4-space indentation, as kubectl prints it. File names carry the snapshot
 * instant: inputs/inventory/<kind>-YYYY-MM-DDTHH-MM-SSZ.json. Times the kubelet writes
 * (status.startTime, startedAt, heartbeats) are on the node's clock.
 */

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

function list(items: unknown[]): string {
  return JSON.stringify(sortKeys({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }), null, 4) + '\n';
}

function rv(t: Ns): string {
  return (40_000_000n + (t / NS_PER_S) % 9_000_000n).toString();
}

const kubeletTime = (node: Node, t: Ns): string => isoSeconds(t + node.clockOffsetNs);

function nodeJson(n: Node, at: Ns, region: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': n.ip,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
      creationTimestamp: isoSeconds(n.createdNs),
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': n.instanceType,
        'beta.kubernetes.io/os': 'linux',
        'eks.amazonaws.com/capacityType': 'ON_DEMAND',
        'eks.amazonaws.com/nodegroup': n.nodegroup,
        'eks.amazonaws.com/nodegroup-image': 'ami-0c2d3e1f4a5b69788',
        'failure-domain.beta.kubernetes.io/region': region,
        'failure-domain.beta.kubernetes.io/zone': n.subnet.az,
        'k8s.io/cloud-provider-aws': '4b0f8ad5c6e2d7b1a9c3e5f708264d1e',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': n.instanceType,
        'topology.k8s.aws/zone-id': `usw2-az${n.subnet.az.slice(-1) === 'a' ? 1 : n.subnet.az.slice(-1) === 'b' ? 2 : 3}`,
        'topology.kubernetes.io/region': region,
        'topology.kubernetes.io/zone': n.subnet.az,
      },
      name: n.name,
      resourceVersion: rv(at),
      uid: n.uid,
    },
    spec: { providerID: `aws:///${n.subnet.az}/${n.instanceId}` },
    status: {
      addresses: [
        { address: n.ip, type: 'InternalIP' },
        ...(n.ip6 ? [{ address: n.ip6, type: 'InternalIP' }] : []),
        { address: n.name, type: 'InternalDNS' },
        { address: n.name, type: 'Hostname' },
      ],
      allocatable: { cpu: '7910m', 'ephemeral-storage': '95551679124', memory: '31482444Ki', pods: '58' },
      capacity: { cpu: '8', 'ephemeral-storage': '104845292Ki', memory: '32498252Ki', pods: '58' },
      conditions: [
        { lastHeartbeatTime: kubeletTime(n, at - sec(17)), lastTransitionTime: kubeletTime(n, n.createdNs + sec(40)), message: 'kubelet is posting ready status', reason: 'KubeletReady', status: 'True', type: 'Ready' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: n.bootId,
        containerRuntimeVersion: 'containerd://1.7.22',
        kernelVersion: '6.1.109-118.189.amzn2023.x86_64',
        kubeProxyVersion: 'v1.31.2-eks-7f9249a',
        kubeletVersion: 'v1.31.2-eks-7f9249a',
        machineID: n.machineId,
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023.6.20241010',
        systemUUID: n.systemUuid,
      },
    },
  };
}

function envFor(pod: Pod, region: string): Array<Record<string, unknown>> {
  const b = pod.workload.sa.binding;
  const env: Array<Record<string, unknown>> = [];
  if (pod.workload.staticKey) {
    env.push({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { key: 'access-key-id', name: `${pod.workload.staticKey.user.name}-aws` } } });
    env.push({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { key: 'secret-access-key', name: `${pod.workload.staticKey.user.name}-aws` } } });
  }
  if (b.kind !== 'none') {
    env.push({ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }, { name: 'AWS_DEFAULT_REGION', value: region }, { name: 'AWS_REGION', value: region });
  }
  if (pod.ip6 && (b.kind !== 'none' || pod.workload.staticKey || pod.workload.usesNodeRole)) env.push({ name: 'AWS_USE_DUALSTACK_ENDPOINT', value: 'true' });
  if (b.kind === 'irsa') {
    env.push({ name: 'AWS_ROLE_ARN', value: b.role.arn }, { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' });
  }
  if (b.kind === 'pod-identity') {
    env.push(
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: pod.ip6 ? 'http://[fd00:ec2::23]/v1/credentials' : 'http://169.254.170.23/v1/credentials' },
      { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token' },
    );
  }
  return env;
}

function podJson(p: Pod, at: Ns, region: string): unknown {
  const running = p.startedNs <= at;
  const labels: Record<string, string> = { ...p.workload.labels };
  if (p.owner.hash) labels['pod-template-hash'] = p.owner.hash;
  if (p.owner.kind === 'StatefulSet') labels['statefulset.kubernetes.io/pod-name'] = p.name;
  const b = p.workload.sa.binding;
  const projected: Array<Record<string, unknown>> = [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } }];
  const volumes: Array<Record<string, unknown>> = [{ name: `kube-api-access-${p.uid.slice(0, 5)}`, projected: { defaultMode: 420, sources: projected } }];
  const mounts: Array<Record<string, unknown>> = [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: `kube-api-access-${p.uid.slice(0, 5)}`, readOnly: true }];
  if (b.kind === 'irsa') {
    volumes.unshift({ name: 'aws-iam-token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } }] } });
    mounts.unshift({ mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', name: 'aws-iam-token', readOnly: true });
  }
  if (b.kind === 'pod-identity') {
    volumes.unshift({ name: 'eks-pod-identity-token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: 'pods.eks.amazonaws.com', expirationSeconds: 86400, path: 'eks-pod-identity-token' } }] } });
    mounts.unshift({ mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount', name: 'eks-pod-identity-token', readOnly: true });
  }
  const meta: Record<string, unknown> = {
    creationTimestamp: isoSeconds(p.createdNs),
    labels,
    name: p.name,
    namespace: p.namespace,
    ownerReferences: [{ apiVersion: p.owner.kind === 'Job' ? 'batch/v1' : 'apps/v1', blockOwnerDeletion: true, controller: true, kind: p.owner.kind, name: p.owner.name, uid: p.owner.uid }],
    resourceVersion: rv(at - sec(30)),
    uid: p.uid,
  };
  if (p.owner.kind !== 'StatefulSet') meta['generateName'] = p.name.slice(0, p.name.lastIndexOf('-') + 1);
  const spec: Record<string, unknown> = {
    containers: p.containers.map((c) => ({
      ...(envFor(p, region).length > 0 ? { env: envFor(p, region) } : {}),
      image: `${c.spec.imageRepo}:${c.spec.tag}`,
      imagePullPolicy: 'IfNotPresent',
      name: c.spec.name,
      ...(c.spec.ports.length > 0 ? { ports: c.spec.ports.map((port) => ({ containerPort: port, protocol: 'TCP' })) } : {}),
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      volumeMounts: mounts,
    })),
    dnsPolicy: p.workload.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    enableServiceLinks: true,
    nodeName: p.node.name,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: p.namespace === 'kube-system' ? 2000001000 : 0,
    restartPolicy: p.owner.kind === 'Job' ? 'Never' : 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    serviceAccount: p.workload.sa.name,
    serviceAccountName: p.workload.sa.name,
    terminationGracePeriodSeconds: 30,
    tolerations: [
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ],
    volumes,
  };
  if (p.workload.hostNetwork) spec['hostNetwork'] = true;
  const node = p.node;
  const status: Record<string, unknown> = {
    conditions: [
      { lastProbeTime: null, lastTransitionTime: kubeletTime(node, p.createdNs + sec(1)), status: 'True', type: 'PodScheduled' },
      ...(running ? [{ lastProbeTime: null, lastTransitionTime: kubeletTime(node, p.startedNs + sec(2)), status: 'True', type: 'Ready' }] : []),
    ],
    hostIP: node.ip,
    hostIPs: node.ip6 ? [{ ip: node.ip }, { ip: node.ip6 }] : [{ ip: node.ip }],
    phase: running ? 'Running' : 'Pending',
    qosClass: 'BestEffort',
    startTime: kubeletTime(node, p.createdNs + sec(1)),
  };
  if (running) {
    status['podIP'] = p.ip;
    const ip6 = p.workload.hostNetwork ? node.ip6 : p.ip6;
    status['podIPs'] = ip6 ? [{ ip: p.ip }, { ip: ip6 }] : [{ ip: p.ip }];
    status['containerStatuses'] = p.containers.map((c) => ({
      containerID: `containerd://${c.id}`,
      image: `${c.spec.imageRepo}:${c.spec.tag}`,
      imageID: `${c.spec.imageRepo}@${c.digest}`,
      lastState: {},
      name: c.spec.name,
      ready: true,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: kubeletTime(node, c.startNs - (c.startNs % NS_PER_S)) } },
    }));
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec, status };
}

function saJson(sa: ServiceAccount, at: Ns): unknown {
  const meta: Record<string, unknown> = { creationTimestamp: isoSeconds(sa.createdNs), name: sa.name, namespace: sa.namespace, resourceVersion: rv(sa.createdNs + (at % 1000n)), uid: sa.uid };
  if (sa.binding.kind === 'irsa') meta['annotations'] = { 'eks.amazonaws.com/role-arn': sa.binding.role.arn };
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta };
}

const byNsName = <T extends { namespace: string; name: string }>(a: T, b: T): number =>
  a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1;

/** Writes the three snapshot files for each instant; returns their paths. */
export function writeInventory(root: string, cluster: Cluster, snapshots: Ns[]): string[] {
  const files: string[] = [];
  const region = cluster.account.region;
  for (const at of snapshots) {
    const stamp = fileStamp(at);
    const nodes = [...cluster.nodes].filter((n) => n.createdNs <= at).sort((a, b) => (a.name < b.name ? -1 : 1));
    const pods = cluster.pods.filter((p) => p.createdNs <= at && (p.deletedNs === null || p.deletedNs > at)).sort(byNsName);
    const sas = cluster.serviceAccounts.filter((s) => s.createdNs <= at).sort(byNsName);
    const out: Array<[string, unknown[]]> = [
      ['nodes', nodes.map((n) => nodeJson(n, at, region))],
      ['pods', pods.map((p) => podJson(p, at, region))],
      ['serviceaccounts', sas.map((s) => saJson(s, at))],
    ];
    for (const [kind, items] of out) {
      const rel = `inputs/inventory/${kind}-${stamp}.json`;
      writeWhole(root, rel, list(items));
      files.push(rel);
    }
  }
  return files;
}
