// Writes N Tetragon-shaped JSON lines (exec, kprobe tcp_connect, exit in turn) to a file, fast:
// a template per event kind, no JSON.stringify per event. Deterministic for a given N.
import { createWriteStream } from 'node:fs';

const BASE_NS = 1792486800000000000n; // 2026-10-20T09:00:00Z

function iso(ns) {
  const s = ns / 1000000000n;
  const frac = String(ns % 1000000000n).padStart(9, '0');
  return new Date(Number(s) * 1000).toISOString().replace('.000Z', `.${frac}Z`);
}

function proc(i, node, t) {
  const pid = 10000 + (i % 50000);
  const execId = Buffer.from(`${node}:${1000000 + i}:${pid}`).toString('base64');
  const pod = `api-${i % 40}`;
  const cid = (i % 40).toString(16).padStart(2, '0').repeat(32);
  return `{"exec_id":"${execId}","pid":${pid},"uid":0,"cwd":"/","binary":"/usr/bin/curl","arguments":"-s https://api.internal/v1/items/${i}","flags":"execve rootcwd clone","start_time":"${t}","auid":4294967295,"pod":{"namespace":"payments","name":"${pod}","uid":"0cda7f85-c1f9-4dee-b6e9-${String(i % 40).padStart(12, '0')}","container":{"id":"containerd://${cid}","name":"api","image":{"id":"docker.io/acme/api@sha256:${'8e86f744bfea165fd4ce68caa05abc96500f40130b857773186401926af7e9e6'}","name":"docker.io/acme/api:1.4.2"},"start_time":"2026-10-20T08:00:00Z","pid":1},"pod_labels":{"app":"api"},"workload":"api","workload_kind":"Deployment"},"docker":"${cid.slice(0, 31)}","parent_exec_id":"${execId}","tid":${pid}}`;
}

export async function writeTetragonEvents(file, n) {
  const out = createWriteStream(file);
  let buf = [];
  for (let i = 0; i < n; i++) {
    const node = `ip-10-0-${i % 8}-10.ec2.internal`;
    const t = iso(BASE_NS + BigInt(i) * 1000000n + 123n);
    const p = proc(i, node, t);
    let line;
    switch (i % 3) {
      case 0:
        line = `{"process_exec":{"process":${p},"parent":${p}},"node_name":"${node}","time":"${t}"}`;
        break;
      case 1:
        line = `{"process_kprobe":{"process":${p},"parent":${p},"function_name":"tcp_connect","args":[{"sock_arg":{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":"10.0.${i % 8}.${20 + (i % 200)}","daddr":"10.0.200.10","sport":${30000 + (i % 30000)},"dport":443,"cookie":"${18446623000000000000n + BigInt(i)}","state":"TCP_SYN_SENT"}}],"action":"KPROBE_ACTION_POST","policy_name":"connect"},"node_name":"${node}","time":"${t}"}`;
        break;
      default:
        line = `{"process_exit":{"process":${p},"parent":${p},"status":0,"time":"${t}"},"node_name":"${node}","time":"${t}"}`;
    }
    buf.push(line);
    if (buf.length === 2000) {
      if (!out.write(buf.join('\n') + '\n')) await new Promise((r) => out.once('drain', r));
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join('\n') + '\n');
  await new Promise((r) => out.end(r));
}
