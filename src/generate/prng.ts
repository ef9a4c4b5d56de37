/**
 * The generator's only source of randomness: sfc32 (Chris Doty-Humphrey's Small Fast Counter),
 * seeded from (seed, label) through a string hash. Streams are forked by label, so one part of a
 * scenario (a pod's background activity, the cluster's ids) does not shift when another part
 * draws more or fewer numbers. No Math.random, no floating point beyond [0, 1) draws.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A stream for `label` under `seed`; the same pair always yields the same sequence. */
  static stream(seed: number, label: string): Rng {
    const h = hash128(`${seed}\u0000${label}`);
    return new Rng(h[0], h[1], h[2], h[3]);
  }

  /** An independent child stream, derived from this stream's next draws and the label. */
  fork(label: string): Rng {
    const h = hash128(`${this.u32()}:${this.u32()}\u0000${label}`);
    return new Rng(h[0], h[1], h[2], h[3]);
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (n <= 0) return 0;
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[this.int(items.length)];
    if (v === undefined) throw new Error('Rng.pick on an empty list');
    return v;
  }

  /** Exponential inter-arrival time (mean `mean`), in the same unit as `mean`. */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** A bigint uniform in [0, n) for n below 2^53. */
  bigBelow(n: bigint): bigint {
    return BigInt(Math.floor(this.float() * Number(n)));
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}

/** cyrb128: a small 128-bit string hash, enough to spread labels over the sfc32 state. */
function hash128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
