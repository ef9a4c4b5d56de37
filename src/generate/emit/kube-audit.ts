import { type Ns, NS_PER_S, fileStamp, hours } from '../ns-time.js';
import { TimedQueue } from '../timed-queue.js';
import { LineWriter } from '../writer.js';
import type { MalformedPlan } from '../world.js';
import type { TruthBuilder } from '../truth.js';
import { CUT_SHORT, TWO_ON_ONE_LINE } from './damage.js';

/**
 * kube-apiserver audit log (audit.k8s.io/v1 Event JSON lines), rotated every hour like a
 * log-rotating backend: inputs/kube-audit/audit-<rotation time>.000.log, and audit.log for the
 * last, live file. Lines are in stageTimestamp order.
 */

export class KubeAuditOut {
  private readonly root: string;
  private readonly q: TimedQueue;
  private readonly start: Ns;
  private readonly end: Ns;
  private readonly plan: MalformedPlan;
  private readonly truth: TruthBuilder;
  private cur: { hour: number; w: LineWriter } | null = null;
  readonly files: string[] = [];
  lines = 0;

  constructor(root: string, start: Ns, end: Ns, plan: MalformedPlan, truth: TruthBuilder) {
    this.root = root;
    this.start = start;
    this.end = end;
    this.plan = plan;
    this.truth = truth;
    this.q = new TimedQueue('kube-audit', start);
  }

  push(t: Ns, line: string): void {
    this.q.push(t, line);
    this.lines++;
  }

  private fileFor(hour: number): string {
    const rotation = this.start - (this.start % hours(1)) + hours(hour + 1);
    if (rotation >= this.end) return 'inputs/kube-audit/audit.log';
    return `inputs/kube-audit/audit-${fileStamp(rotation).slice(0, -1)}.000.log`;
  }

  private writer(t: Ns): LineWriter {
    const hour = Number((t - (this.start - (this.start % hours(1)))) / (3600n * NS_PER_S));
    if (this.cur && (this.cur.hour === hour || this.cur.w.rel === this.fileFor(hour))) return this.cur.w;
    if (this.cur) this.finish(this.cur.w);
    const w = new LineWriter(this.root, this.fileFor(hour));
    if (this.plan.audit && this.plan.audit.hour === hour) {
      this.plan.audit.lines.forEach((line, i) =>
        w.injectAt(line, i % 2 === 0 ? TWO_ON_ONE_LINE : CUT_SHORT, (file, l, why) => this.truth.malformed.push({ file, line: l, why })),
      );
    }
    this.cur = { hour, w };
    return w;
  }

  private finish(w: LineWriter): void {
    w.close();
    if (w.used) this.files.push(w.rel);
  }

  drain(limit: Ns): void {
    this.q.drain(limit, (text, t) => this.writer(t).line(text));
  }

  close(): void {
    this.drain(BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n);
    if (this.cur) this.finish(this.cur.w);
    this.cur = null;
  }
}
