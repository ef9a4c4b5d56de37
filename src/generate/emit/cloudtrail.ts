import { gzipSync } from 'node:zlib';
import type { Account } from '../model.js';
import { type Ns, NS_PER_S, cloudTrailStamp, minutes, sec, ymd } from '../ns-time.js';
import type { Rng } from '../prng.js';
import { alnum } from '../ids.js';
import { TimedQueue } from '../timed-queue.js';
import { writeWhole } from '../writer.js';

/**
 * CloudTrail S3 delivery: one gzipped {"Records":[…]} file per region per 5 minutes of events,
 * records sorted by eventTime, under AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/ and named
 * <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz, stamped with the delivery time.
 */

const BUCKET = minutes(5);

/** gzip with a fixed header: mtime 0 and OS byte 3 (Unix) whatever the host, so bytes are stable. */
export function deterministicGzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 6 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz;
}

interface Pending {
  bucket: Ns;
  records: string[];
}

export class CloudTrailOut {
  private readonly root: string;
  private readonly account: Account;
  private readonly rng: Rng;
  private readonly start: Ns;
  private readonly queues = new Map<string, TimedQueue>();
  private readonly current = new Map<string, Pending>();
  readonly files: string[] = [];
  records = 0;

  constructor(root: string, account: Account, start: Ns, rng: Rng) {
    this.root = root;
    this.account = account;
    this.start = start;
    this.rng = rng;
  }

  push(region: string, eventTime: Ns, json: string): void {
    let q = this.queues.get(region);
    if (!q) {
      q = new TimedQueue(`cloudtrail ${region}`, this.start);
      this.queues.set(region, q);
    }
    q.push(eventTime, json);
  }

  drain(limit: Ns): void {
    for (const region of [...this.queues.keys()].sort()) {
      const q = this.queues.get(region) as TimedQueue;
      q.drain(limit, (text, t) => {
        const bucket = t - (t % BUCKET);
        let cur = this.current.get(region);
        if (cur && cur.bucket !== bucket) {
          this.write(region, cur);
          cur = undefined;
        }
        if (!cur) {
          cur = { bucket, records: [] };
          this.current.set(region, cur);
        }
        cur.records.push(text);
      });
      const cur = this.current.get(region);
      if (cur && cur.bucket + BUCKET <= limit) {
        this.write(region, cur);
        this.current.delete(region);
      }
    }
  }

  private write(region: string, p: Pending): void {
    const delivered = p.bucket + BUCKET + minutes(1) + sec(this.rng.int(180));
    const [y, m, d] = ymd(delivered);
    const acct = this.account.id;
    const name = `${acct}_CloudTrail_${region}_${cloudTrailStamp(delivered - (delivered % (60n * NS_PER_S)))}_${alnum(this.rng, 16)}.json.gz`;
    const rel = `inputs/cloudtrail/AWSLogs/${acct}/CloudTrail/${region}/${y}/${m}/${d}/${name}`;
    const body = Buffer.from(`{"Records":[${p.records.join(',')}]}`, 'utf8');
    writeWhole(this.root, rel, deterministicGzip(body));
    this.files.push(rel);
    this.records += p.records.length;
  }

  close(): void {
    this.drain(BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n);
    for (const region of [...this.current.keys()].sort()) this.write(region, this.current.get(region) as Pending);
    this.current.clear();
  }
}
