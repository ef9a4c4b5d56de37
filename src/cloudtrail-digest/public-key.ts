import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * A CloudTrail public key as ListPublicKeys returns it: Value is documented as a DER encoded
 * PKCS #1 RSAPublicKey (base64 in JSON), and AWS's own samples include one SubjectPublicKeyInfo:
 * both are read. Its Fingerprint is the lowercase hex MD5 of exactly those DER bytes (undocumented;
 * it holds for every key AWS publishes in its documentation), so a saved key can be checked against
 * the fingerprint it is filed under.
 */
export interface TrailPublicKey {
  region: string;
  fingerprint: string;
  /** base64 of the DER bytes, as saved. */
  value: string;
  validityStart: string | null;
  validityEnd: string | null;
}

export type LoadedKey = { ok: true; key: KeyObject } | { ok: false; reason: string };

export function loadPublicKey(k: TrailPublicKey): LoadedKey {
  const der = Buffer.from(k.value, 'base64');
  if (der.length === 0) return { ok: false, reason: `the saved public key with fingerprint ${k.fingerprint} is empty` };
  const md5 = createHash('md5').update(der).digest('hex');
  if (md5 !== k.fingerprint.toLowerCase()) {
    return { ok: false, reason: `the saved public key filed under fingerprint ${k.fingerprint} has fingerprint ${md5}: the key file was altered` };
  }
  for (const type of ['pkcs1', 'spki'] as const) {
    try {
      return { ok: true, key: createPublicKey({ key: der, format: 'der', type }) };
    } catch {
      // try the other encoding
    }
  }
  return { ok: false, reason: `Unable to load PKCS #1 key with fingerprint ${k.fingerprint}` };
}

/** RSASSA-PKCS1-v1_5 with SHA-256 over the UTF-8 string; the signature is hex (as in S3 metadata). */
export function verifySha256WithRsa(message: string, signatureHex: string, key: KeyObject): boolean {
  if (!/^[0-9a-fA-F]*$/.test(signatureHex) || signatureHex.length % 2 !== 0 || signatureHex.length === 0) return false;
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
