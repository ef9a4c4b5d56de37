/**
 * IPv6 text, written by the generator's own code: RFC 5952 (lowercase hexadecimal, no leading
 * zeros, the longest run of two or more zero groups as "::", the first of equal runs), the form
 * CloudTrail, the kubelet (Go's net.IP) and Falco (inet_ntop) print.
 */

/** Eight 16-bit groups as RFC 5952 text. */
export function v6Text(groups: readonly number[]): string {
  if (groups.length !== 8) throw new Error(`IPv6: 8 groups expected, got ${groups.length}`);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parses IPv6 text (any notation, no zone, no embedded IPv4) into eight groups; null when it is not one. */
export function v6Groups(text: string): number[] | null {
  if (!text.includes(':')) return null;
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return null;
  const part = (s: string | undefined): number[] | null => {
    if (!s) return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = part(halves[0]);
  const tail = part(halves[1]);
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const fill = 8 - head.length - tail.length;
  return fill < 1 ? null : [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** The address as a 128-bit number. */
export function v6Int(groups: readonly number[]): bigint {
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function isV6(ip: string): boolean {
  return ip.includes(':');
}

/** The IPv6 instance metadata service and EKS Pod Identity agent addresses (Nitro instances). */
export const IMDS_IP6 = 'fd00:ec2::254';
export const POD_IDENTITY_AGENT_IP6 = 'fd00:ec2::23';
