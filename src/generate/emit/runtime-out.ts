import type { Node, Proc } from '../model.js';
import type { Ns } from '../ns-time.js';
import { TimedQueue } from '../timed-queue.js';
import { LineWriter } from '../writer.js';
import type { MalformedPlan } from '../world.js';
import type { TruthBuilder } from '../truth.js';
import { CUT_SHORT, TRUNCATED_TAIL, TWO_ON_ONE_LINE } from './damage.js';

/**
 * Per-node runtime files: inputs/tetragon/<node>.json and inputs/falco/<node>.json (JSON lines),
 * written in node-time order a minute at a time. Nodes without a sensor get no file at all.
 */

interface Stream {
  q: TimedQueue;
  w: LineWriter;
}

export class RuntimeOut {
  private readonly tetra = new Map<Node, Stream>();
  private readonly falco = new Map<Node, Stream>();
  tetragonEvents = 0;
  falcoAlerts = 0;

  constructor(root: string, nodes: Node[], start: Ns, plan: MalformedPlan, truth: TruthBuilder) {
    const record = (file: string, line: number, why: string): void => {
      truth.malformed.push({ file, line, why });
    };
    for (const n of nodes) {
      if (n.sensor) this.tetra.set(n, { q: new TimedQueue(`tetragon ${n.name}`, start), w: new LineWriter(root, `inputs/tetragon/${n.name}.json`) });
      if (n.falco) this.falco.set(n, { q: new TimedQueue(`falco ${n.name}`, start), w: new LineWriter(root, `inputs/falco/${n.name}.json`) });
    }
    if (plan.tetragon) {
      const s = this.tetra.get(plan.tetragon.node);
      plan.tetragon.lines.forEach((line, i) => s?.w.injectAt(line, i % 2 === 0 ? CUT_SHORT : TWO_ON_ONE_LINE, record));
    }
    if (plan.tail) {
      const s = (plan.tail.source === 'falco' ? this.falco : this.tetra).get(plan.tail.node);
      s?.w.truncateTail(TRUNCATED_TAIL, record);
    }
  }

  /** Tetragon runs on the node (every exec, exit and connect is written). */
  hasSensor(node: Node): boolean {
    return this.tetra.has(node);
  }

  /** Some runtime sensor (Tetragon or Falco) writes events on the node. */
  anySensor(node: Node): boolean {
    return this.tetra.has(node) || this.falco.has(node);
  }

  /** Every outbound connect on the node is written: Tetragon, or Falco with a rule set that alerts on each. */
  observesConnects(node: Node): boolean {
    return this.tetra.has(node) || (this.falco.has(node) && node.falcoRules === 'every-connect');
  }

  /** Whether a connect of this kind by this process is written on its node (Falco's stock rules fire on container connects to AWS and, outside hostNetwork, to the metadata service). */
  writesConnect(node: Node, p: Proc, kind: 'aws' | 'imds' | 'plain'): boolean {
    if (this.observesConnects(node)) return true;
    if (!this.falco.has(node) || !p.container || !p.pod) return false;
    return kind === 'aws' || (kind === 'imds' && !p.pod.workload.hostNetwork);
  }

  tetragon(node: Node, t: Ns, line: string): void {
    const s = this.tetra.get(node);
    if (!s) return;
    s.q.push(t, line);
    this.tetragonEvents++;
  }

  falcoAlert(node: Node, t: Ns, line: string): void {
    const s = this.falco.get(node);
    if (!s) return;
    s.q.push(t, line);
    this.falcoAlerts++;
  }

  drain(limit: Ns): void {
    for (const s of [...this.tetra.values(), ...this.falco.values()]) s.q.drain(limit, (text) => s.w.line(text));
  }

  close(): string[] {
    this.drain(BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n);
    const files: string[] = [];
    for (const s of [...this.tetra.values(), ...this.falco.values()]) {
      s.w.close();
      if (s.w.used) files.push(s.w.rel);
    }
    return files;
  }
}
