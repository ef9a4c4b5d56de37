import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';

/** DSSE v1 (secure-systems-lab/dsse, protocol.md) with in-toto's payload type. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: DsseSignature[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body; LEN in bytes, decimal. */
export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'utf8'), type, Buffer.from(` ${body.length} `, 'utf8'), body]);
}

/** Signs body with Ed25519 (deterministic, RFC 8032): the same body and key give the same envelope bytes. */
export function signEnvelope(body: Buffer, payloadType: string, privateKey: KeyObject, keyid: string): DsseEnvelope {
  const sig = sign(null, pae(payloadType, body), privateKey);
  return { payload: body.toString('base64'), payloadType, signatures: [{ keyid, sig: sig.toString('base64') }] };
}

/** The envelope file's text: canonical JSON and a final newline. */
export function envelopeText(env: DsseEnvelope): string {
  return `${canonicalJson(env)}\n`;
}

/** Standard or URL-safe base64, padded or not (DSSE verifiers must accept both); null when invalid. */
export function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  const buf = Buffer.from(std, 'base64');
  const again = buf.toString('base64').replace(/=+$/, '');
  return again === std.replace(/=+$/, '') ? buf : null;
}

export type EnvelopeCheck =
  | { ok: true; body: Buffer; keyid: string }
  | { ok: false; problem: string };

/**
 * Verify order per DSSE: parse the envelope, check the signature over PAE with the given key, then
 * the payload type; only then may the caller parse the body. Any one valid signature suffices.
 */
export function verifyEnvelope(text: string, publicKey: KeyObject, wantType = IN_TOTO_PAYLOAD_TYPE): EnvelopeCheck {
  let env: unknown;
  try {
    env = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const e = env as Partial<DsseEnvelope>;
  if (typeof e !== 'object' || e === null || typeof e.payload !== 'string' || typeof e.payloadType !== 'string' || !Array.isArray(e.signatures)) {
    return { ok: false, problem: 'not a DSSE envelope (payload, payloadType, signatures)' };
  }
  const body = decodeBase64(e.payload);
  if (!body) return { ok: false, problem: 'payload is not base64' };
  if (e.signatures.length === 0) return { ok: false, problem: 'no signature' };
  const message = pae(e.payloadType, body);
  for (const s of e.signatures) {
    const sig = typeof s?.sig === 'string' ? decodeBase64(s.sig) : null;
    if (sig && sig.length === 64 && verify(null, message, publicKey, sig)) {
      if (e.payloadType !== wantType) return { ok: false, problem: `payloadType is ${JSON.stringify(e.payloadType)}, expected ${wantType}` };
      return { ok: true, body, keyid: typeof s.keyid === 'string' ? s.keyid : '' };
    }
  }
  return { ok: false, problem: 'signature does not verify with this key over the PAE of the payload' };
}
