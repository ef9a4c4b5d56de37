import type { Rng } from './prng.js';

/** Identifier shapes, drawn from a seeded stream (never from crypto or the clock). */

const HEX = '0123456789abcdef';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Characters Kubernetes uses in generated name suffixes (no vowels, no confusable digits). */
const K8S_SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';

export function fromAlphabet(rng: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

export function hex(rng: Rng, n: number): string {
  return fromAlphabet(rng, HEX, n);
}

/** RFC 4122 version-4 shaped UUID. */
export function uuid(rng: Rng): string {
  const h = hex(rng, 32);
  const variant = '89ab'[rng.int(4)];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function containerId(rng: Rng): string {
  return hex(rng, 64);
}

export function sha256Digest(rng: Rng): string {
  return `sha256:${hex(rng, 64)}`;
}

/** EC2 instance id: i- and 17 hex digits. */
export function instanceId(rng: Rng): string {
  return `i-0${hex(rng, 16)}`;
}

/**
 * An AWS key id: 4-letter prefix (AKIA long-term, ASIA temporary), then 16 base32 characters.
 * The first 8 of those are the account's infix, as in real keys where they encode the account.
 */
export function accessKeyId(rng: Rng, prefix: 'AKIA' | 'ASIA', accountInfix: string): string {
  return prefix + accountInfix + fromAlphabet(rng, BASE32, 8);
}

/** AROA / AIDA unique ids (21 characters). */
export function principalUniqueId(rng: Rng, prefix: 'AROA' | 'AIDA', accountInfix: string): string {
  return prefix + accountInfix + fromAlphabet(rng, BASE32, 9);
}

export function base32(rng: Rng, n: number): string {
  return fromAlphabet(rng, BASE32, n);
}

export function alnum(rng: Rng, n: number): string {
  return fromAlphabet(rng, ALNUM, n);
}

export function upperAlnum(rng: Rng, n: number): string {
  return fromAlphabet(rng, UPPER_ALNUM, n);
}

/** A base64 blob of `n` characters (no padding), e.g. for STS session tokens. */
export function base64Chars(rng: Rng, n: number): string {
  return fromAlphabet(rng, B64, n);
}

/** Kubernetes generated-name suffix, e.g. the "7d57964dc8" and "bvzff" of a pod name. */
export function k8sSuffix(rng: Rng, n: number): string {
  return fromAlphabet(rng, K8S_SUFFIX, n);
}

/** An STS session token: base64 of a protobuf-ish blob; real ones start "IQoJb3JpZ2luX2Vj". */
export function sessionToken(rng: Rng): string {
  return `IQoJb3JpZ2luX2VjE${base64Chars(rng, 3)}//////////wEaCXVzLXdlc3QtMiJH${base64Chars(rng, 560)}`;
}

/** A TCP socket cookie as Tetragon prints it: a kernel address, uint64, as a decimal string. */
export function socketCookie(rng: Rng): string {
  const base = 0xffff888000000000n;
  const off = BigInt(rng.u32()) * 4096n + BigInt(rng.int(64) * 64);
  return (base + off).toString();
}
