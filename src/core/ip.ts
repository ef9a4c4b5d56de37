import { isIP } from 'node:net';

/** True for an IPv4/IPv6 address or a CIDR block of one. */
export function isCidrOrIp(text: string): boolean {
  const [addr, bits, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}
