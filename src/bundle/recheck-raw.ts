import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { EvidenceFileRow } from '../lake/evidence-file-row.js';
import { IntegrityError } from '../core/errors.js';
import { sha256File, byteOrder } from './files.js';

export interface RawRecheck {
  files: number;
  bytes: number;
}

/**
 * Re-verification before export (raw evidence is never trusted between acquisition and bundle): every file of raw/ is hashed again and compared
 * with its catalog row (sha256 and size at acquisition). A changed, missing or unlisted file stops
 * the bundle, naming the file.
 */
export async function recheckRaw(caseRoot: string, catalog: readonly EvidenceFileRow[], onFile: (bytes: number, file: string) => void = () => {}): Promise<RawRecheck> {
  const problems: string[] = [];
  const byPath = new Map(catalog.map((r) => [r.raw_path, r]));
  const rawDir = path.join(caseRoot, 'raw');
  const present = existsSync(rawDir) ? readdirSync(rawDir).map((f) => `raw/${f}`).sort(byteOrder) : [];
  for (const rel of present) if (!byPath.has(rel)) problems.push(`${rel}: in raw/ but not in evidence_files (not acquired by podtrail)`);
  let bytes = 0;
  for (const row of [...catalog].sort((a, b) => byteOrder(a.raw_path, b.raw_path))) {
    const abs = path.join(caseRoot, ...row.raw_path.split('/'));
    if (!existsSync(abs)) {
      problems.push(`${row.raw_path}: missing (evidence ${row.evidence_file_id}, acquired from ${row.origin})`);
      continue;
    }
    const now = await sha256File(abs);
    bytes += now.size;
    onFile(bytes, row.raw_path);
    if (now.sha256 !== row.sha256 || now.size !== Number(row.size_bytes)) {
      problems.push(`${row.raw_path}: sha256 ${now.sha256} (${now.size} bytes) differs from ${row.sha256} (${row.size_bytes} bytes) recorded at acquisition`);
    }
  }
  if (problems.length > 0) {
    throw new IntegrityError(`raw evidence does not match its acquisition hashes; refusing to bundle:\n  ${problems.join('\n  ')}`);
  }
  return { files: catalog.length, bytes };
}
