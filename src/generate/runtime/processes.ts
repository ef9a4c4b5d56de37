import type { Container, Node, Pod, Proc } from '../model.js';
import type { Ns } from '../ns-time.js';

/** Process identity as Tetragon sees it: host pid, container-namespace pid, exec_id. */

/** Next host pid on a node: increasing with gaps (other processes start in between), wrapping at pid_max. */
export function allocPid(node: Node): number {
  const pid = node.nextPid;
  node.nextPid = pid + 1 + ((pid * 7919) % 37);
  if (node.nextPid > 4_000_000) node.nextPid = 300 + (node.nextPid % 1000);
  return pid;
}

/** exec_id = base64("<node>:<ns since boot>:<pid>"), as Tetragon builds it. */
export function execId(node: Node, startNs: Ns, pid: number): string {
  const ktime = startNs - node.bootNs;
  return Buffer.from(`${node.name}:${ktime.toString()}:${pid}`, 'utf8').toString('base64');
}

export interface ProcOptions {
  pod: Pod | null;
  container: Container | null;
  binary: string;
  args: string;
  cwd?: string;
  uid?: number;
  startNs: Ns;
  parent: Proc | null;
  pid?: number;
  probe?: boolean;
  tty?: boolean;
  /** The container's first process has container-namespace pid 1. */
  containerInit?: boolean;
}

export function newProc(node: Node, o: ProcOptions): Proc {
  const pid = o.pid ?? allocPid(node);
  let nsPid = pid;
  if (o.container) {
    if (o.containerInit) nsPid = 1;
    else {
      nsPid = o.container.nextNsPid;
      o.container.nextNsPid += 1 + (nsPid % 3);
    }
  }
  const cwd = o.cwd ?? '/';
  return {
    node,
    pod: o.pod,
    container: o.container,
    pid,
    nsPid,
    binary: o.binary,
    args: o.args,
    cwd,
    uid: o.uid ?? 0,
    startNs: o.startNs,
    execId: execId(node, o.startNs, pid),
    parent: o.parent,
    flags: cwd === '/' ? 'execve rootcwd clone' : 'execve clone',
    probe: o.probe ?? false,
    tty: o.tty ?? false,
    json: null,
  };
}
