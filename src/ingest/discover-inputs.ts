import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CaseError, UsageError } from '../core/errors.js';
import type { CasePaths } from '../case/case-paths.js';

export interface InputFile {
  /** Real path read from (links resolved; never written). */
  abs: string;
  /**
   * Locator recorded in evidence_files, custody and the manifest: the path as given (made absolute
   * against the working directory, links not resolved), relative to the case when inside it.
   */
  origin: string;
}

/** An input refused by name, without being read: what it is and why. */
export interface RefusedInput {
  origin: string;
  reason: string;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** What a file that is not a regular file or folder is, for a refusal. */
function specialKind(st: Stats): string | null {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return null;
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ELOOP') return 'a symbolic link loop';
  if (err.code === 'ENAMETOOLONG') return 'a path too long for the system';
  if (err.code === 'ENOENT') return 'a dangling symbolic link (its target does not exist)';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'not readable (permission denied)';
  return `not readable (${err.code ?? err.message})`;
}

/**
 * Expands files and folders into input files sorted by origin (byte order), so the input order on
 * the command line never changes the result. What is read is decided on resolved paths:
 * - a path given on the command line is taken as given, through any link (the operator named it);
 * - inside a given folder, a symbolic link is followed only when its resolved target stays inside
 *   that folder's resolved tree; a link out of it (to /etc, /proc, the case...) is refused with
 *   its target named, and so are a link loop, a dangling link and a path too long;
 * - FIFOs, sockets and devices are refused by name and never opened;
 * - an input tree that contains the case folder is refused as a whole (the case would acquire
 *   itself), and the case's own files are refused by name.
 * Refusals are returned (they go to the ingest summary and the custody log), never skipped silently.
 */
export function discoverInputs(paths: string[], p: CasePaths): { files: InputFile[]; refused: RefusedInput[] } {
  if (paths.length === 0) throw new UsageError('ingest needs at least one input file or folder');
  const caseReal = existsSync(p.root) ? realpathSync(p.root) : p.root;
  const own = [p.raw, p.lake, p.tmp, p.snapshot, p.database, p.custody, p.config, p.validation, p.lock].map((x) => (existsSync(x) ? realpathSync(x) : x));
  const isOwn = (real: string): boolean => own.some((o) => isInside(real, o)) || (path.dirname(real) === caseReal && path.basename(real).startsWith('case.duckdb'));
  const out: InputFile[] = [];
  const refused: RefusedInput[] = [];
  const walkedDirs = new Set<string>();

  /** Origin of a lexical path: relative to the case when inside it (lexically or once resolved). */
  const originOf = (lexical: string, real: string): string => {
    if (isInside(lexical, p.root)) return path.relative(p.root, lexical).split(path.sep).join('/');
    if (isInside(real, caseReal) && !isOwn(real)) return path.relative(caseReal, real).split(path.sep).join('/');
    return lexical;
  };

  const refuse = (lexical: string, real: string, reason: string): void => {
    refused.push({ origin: originOf(lexical, real), reason });
  };

  /** A resolved entry: a regular file is an input, a folder is walked, anything else refused. */
  const take = (lexical: string, real: string, treeReal: string): void => {
    if (isOwn(real)) return refuse(lexical, real, 'part of the case itself (raw/, lake/ or a case file), not evidence to acquire');
    let st: Stats;
    try {
      st = statSync(real);
    } catch (e) {
      return refuse(lexical, real, errnoText(e));
    }
    if (st.isDirectory()) return walk(lexical, real, treeReal);
    if (st.isFile()) {
      out.push({ abs: real, origin: originOf(lexical, real) });
      return;
    }
    refuse(lexical, real, `${specialKind(st) ?? 'not a regular file'}: not read`);
  };

  const walk = (lexical: string, real: string, treeReal: string): void => {
    if (walkedDirs.has(real)) return refuse(lexical, real, `a symbolic link loop (leads back to ${real}, already read)`);
    walkedDirs.add(real);
    let entries;
    try {
      entries = readdirSync(real, { withFileTypes: true });
    } catch (e) {
      return refuse(lexical, real, errnoText(e));
    }
    for (const ent of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const lex = path.join(lexical, ent.name);
      const phys = path.join(real, ent.name);
      if (ent.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(phys);
        } catch (e) {
          refuse(lex, phys, errnoText(e));
          continue;
        }
        if (!isInside(target, treeReal)) {
          let link = target;
          try {
            link = readlinkSync(phys);
          } catch {
            // keep the resolved target
          }
          refuse(lex, phys, `a symbolic link to ${link}${link === target ? '' : ` (${target})`}, outside the input tree ${treeReal}: not followed`);
          continue;
        }
        take(lex, target, treeReal);
      } else if (ent.isDirectory()) walk(lex, phys, treeReal);
      else if (ent.isFile()) take(lex, phys, treeReal);
      else {
        let kind: string | null = null;
        try {
          kind = specialKind(lstatSync(phys));
        } catch {
          // vanished: refused below all the same
        }
        refuse(lex, phys, `${kind ?? 'not a regular file'}: not read`);
      }
    }
  };

  for (const given of paths) {
    const lexical = path.resolve(given);
    let real: string;
    try {
      real = realpathSync(lexical);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !existsLink(lexical)) throw new UsageError(`input not found: ${given}`);
      refuse(lexical, lexical, errnoText(e));
      continue;
    }
    if (isInside(caseReal, real)) {
      throw new CaseError(`${given} contains the case folder ${p.root}: refusing to acquire the case into itself (give the input files or folders, not their parent)`);
    }
    if (isOwn(real)) throw new CaseError(`${given} is part of the case itself (raw/, lake/ or a case file), not evidence to acquire`);
    take(lexical, real, real);
  }
  const byOrigin = <T extends { origin: string }>(a: T, b: T): number => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0);
  return { files: out.sort(byOrigin), refused: refused.sort(byOrigin) };
}

function existsLink(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
