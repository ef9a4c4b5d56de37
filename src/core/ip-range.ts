import { isIP } from 'node:net';

/**
 * Addresses as numbers in one space, as the SQL macros pt_ip_int / pt_cidr_lo / pt_cidr_hi
 * (sql/00_macros/pt_addr.sql) compute them: IPv6's 128 bits, IPv4 at its IPv4-mapped place
 * (::ffff:0:0/96), so one range comparison serves both families.
 */

const V4_MAPPED = 0xffff00000000n;

function v4Number(addr: string): bigint {
  return addr.split('.').reduce((acc, o) => acc * 256n + BigInt(Number(o)), 0n);
}

function v6Number(addr: string): bigint {
  let text = addr.toLowerCase().split('%')[0] ?? '';
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = v4Number(tail[1] as string);
    text = text.slice(0, tail.index) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [left, right] = text.split('::') as [string, string | undefined];
  const l = left === '' ? [] : left.split(':');
  const r = right === undefined || right === '' ? [] : right.split(':');
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** An address or CIDR block to its first and last address, as decimal text (bound as UHUGEINT); null when invalid. */
export function ipRange(cidr: string): { lo: string; hi: string } | null {
  const [addr, bitsText, extra] = cidr.split('/');
  if (!addr || extra !== undefined) return null;
  const family = isIP(addr);
  if (family === 0) return null;
  const width = family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return null;
  const n = family === 4 ? V4_MAPPED + v4Number(addr) : v6Number(addr);
  const host = BigInt(128 - (family === 4 ? 96 + bits : bits));
  const lo = (n >> host) << host;
  return { lo: lo.toString(), hi: (lo + (1n << host) - 1n).toString() };
}
