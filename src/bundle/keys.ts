import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CliError, UsageError } from '../core/errors.js';

/** Ed25519 key pair as podtrail stores it: PKCS#8 PEM (private) and SPKI PEM (public). */
export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** keyid: lowercase hex SHA-256 of the public key's SPKI DER. A hint only, never trusted. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function requireEd25519(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`${file}: an ${key.asymmetricKeyType ?? 'unknown'} key; podtrail signs with Ed25519 only (podtrail keygen makes one)`);
  }
  return key;
}

export function loadPrivateKey(file: string): KeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: readFileSync(file), format: 'pem' });
  } catch (e) {
    throw new UsageError(`${file}: not a PEM private key (${(e as Error).message})`);
  }
  requireEd25519(privateKey, file);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Reads a public key PEM (SPKI); a private key file is accepted too and reduced to its public half. */
export function loadPublicKey(file: string): KeyObject {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    throw new UsageError(`${file}: cannot read the public key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parsePublicKey(text, file);
}

export function parsePublicKey(pem: Buffer | string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new CliError(`${what}: not a PEM public key (${(e as Error).message})`);
  }
  return requireEd25519(key, what);
}

/**
 * A key pair from a 32-byte seed (RFC 8032 private key). Only for the demo's published, NOT SECRET
 * key and for test fixtures: the same seed always gives the same key.
 */
export function keyPairFromSeed(seed: Buffer): KeyPair {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function writeNew(file: string, text: string, mode: number): void {
  const fd = openSync(file, 'wx', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub.pem; refuses to overwrite either. */
export function writeKeyPair(prefix: string, pair: KeyPair = generateEd25519()): { keyFile: string; pubFile: string; keyid: string } {
  const keyFile = `${prefix}.key`;
  const pubFile = `${prefix}.pub.pem`;
  for (const f of [keyFile, pubFile]) if (existsSync(f)) throw new UsageError(`${f} exists: refusing to overwrite a key`);
  if (!existsSync(path.dirname(path.resolve(keyFile)))) throw new UsageError(`${path.dirname(keyFile)}: no such folder`);
  writeNew(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  writeNew(pubFile, publicKeyPem(pair.publicKey), 0o644);
  return { keyFile, pubFile, keyid: keyIdOf(pair.publicKey) };
}

export function generateEd25519(): KeyPair {
  return generateKeyPairSync('ed25519');
}
