import { isIP } from 'node:net';

/** IPv4 address or CIDR to its first and last address as integers; null for IPv6 or invalid. */
export function ipv4Range(cidr: string): { lo: number; hi: number } | null {
  const [addr, bitsText] = cidr.split('/');
  if (!addr || isIP(addr) !== 4) return null;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - bits);
  const lo = Math.floor(n / size) * size;
  return { lo, hi: lo + size - 1 };
}
