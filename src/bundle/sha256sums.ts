import { byteOrder } from './files.js';

/** The bundle's checksum file and the files that sign it; neither is listed in SHA256SUMS. */
export const SHA256SUMS = 'SHA256SUMS';
export const ENVELOPE_FILE = 'attestation.dsse.json';
export const PUBLIC_KEY_FILE = 'evidence.pub.pem';
export const UNLISTED_FILES: readonly string[] = [SHA256SUMS, ENVELOPE_FILE, PUBLIC_KEY_FILE];

export interface SumEntry {
  name: string;
  sha256: string;
}

/** A bundle path: relative, forward slashes, no empty, "." or ".." segment, nothing GNU would escape. */
export function isSafeBundlePath(name: string): boolean {
  if (name.length === 0 || name.startsWith('/') || /[\\\n\r\0]/.test(name)) return false;
  return name.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** GNU coreutils text format ("<hex>  <path>\n"), paths in byte order: `sha256sum -c` reads it. */
export function formatSha256Sums(entries: readonly SumEntry[]): string {
  const sorted = [...entries].sort((a, b) => byteOrder(a.name, b.name));
  for (const e of sorted) {
    if (!isSafeBundlePath(e.name)) throw new Error(`unsafe bundle path ${JSON.stringify(e.name)}`);
    if (!/^[0-9a-f]{64}$/.test(e.sha256)) throw new Error(`bad sha256 for ${e.name}`);
  }
  return sorted.map((e) => `${e.sha256}  ${e.name}\n`).join('');
}

/** Parses SHA256SUMS strictly: every line well formed, paths safe, unique and in byte order. */
export function parseSha256Sums(text: string): { entries: SumEntry[]; problems: string[] } {
  const entries: SumEntry[] = [];
  const problems: string[] = [];
  if (text.length > 0 && !text.endsWith('\n')) problems.push('SHA256SUMS: last line has no newline');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) {
      problems.push(`SHA256SUMS line ${i + 1}: not "<sha256>  <path>"`);
      return;
    }
    const name = m[2]!;
    if (!isSafeBundlePath(name)) problems.push(`SHA256SUMS line ${i + 1}: unsafe path ${JSON.stringify(name)}`);
    const prev = entries[entries.length - 1];
    if (prev && byteOrder(prev.name, name) >= 0) problems.push(`SHA256SUMS line ${i + 1}: ${name} is not in byte order after ${prev.name} (or listed twice)`);
    entries.push({ sha256: m[1]!, name });
  });
  return { entries, problems };
}
