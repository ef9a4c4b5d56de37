import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { CaseError, UsageError } from '../core/errors.js';
import type { CasePaths } from '../case/case-paths.js';

export interface InputFile {
  /** Absolute path read from (never written). */
  abs: string;
  /** Locator recorded in evidence_files: relative to the case when inside it, else absolute. */
  origin: string;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Expands files and folders (recursively, symlinks followed once) into input files sorted by origin
 * (byte order), so the input order on the command line never changes the result. Refuses an input
 * tree that contains the case folder (the case would acquire itself) and the case's own folders.
 */
export interface RefusedInput {
  origin: string;
  reason: string;
}

export function discoverInputs(paths: string[], p: CasePaths): { files: InputFile[]; refused: RefusedInput[] } {
  if (paths.length === 0) throw new UsageError('ingest needs at least one input file or folder');
  const caseReal = existsSync(p.root) ? realpathSync(p.root) : p.root;
  const own = [p.raw, p.lake, p.tmp, p.database, p.custody, p.config, p.validation].map((x) => (existsSync(x) ? realpathSync(x) : x));
  const seen = new Set<string>();
  const out: InputFile[] = [];
  const add = (abs: string): void => {
    const real = realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    if (own.some((o) => isInside(real, o)) || path.basename(real).startsWith('case.duckdb')) return;
    const st = statSync(real);
    if (st.isDirectory()) {
      for (const name of readdirSync(real).sort()) add(path.join(abs, name));
    } else if (st.isFile()) {
      out.push({ abs: real, origin: isInside(real, caseReal) ? path.relative(caseReal, real).split(path.sep).join('/') : real });
    }
  };
  for (const given of paths) {
    const abs = path.resolve(given);
    if (!existsSync(abs)) throw new UsageError(`input not found: ${given}`);
    const real = realpathSync(abs);
    if (isInside(caseReal, real)) {
      throw new CaseError(`${given} contains the case folder ${p.root}: refusing to acquire the case into itself (give the input files or folders, not their parent)`);
    }
    if (own.some((o) => isInside(real, o))) throw new CaseError(`${given} is part of the case itself (raw/, lake/ or a case file), not evidence to acquire`);
    add(abs);
  }
  return { files: out.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0)), refused: [] };
}
