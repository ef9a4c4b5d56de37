import { openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import { CliError, ExitCode } from '../core/errors.js';

/** The case is held by another process: exit 6, so a script can wait and retry. */
export class CaseBusyError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.busy);
    this.name = 'CaseBusyError';
  }
}

/** Who holds a case: a live process other than this one. */
export interface CaseHolder {
  pid: number;
  /** What it runs, as "podtrail ingest" (from the lock file or the process's command line). */
  command: string;
}

let invoked = 'podtrail';

/** The CLI names the command it runs; the lock file records it, so a refusal can name the holder. */
export function setInvokedCommand(name: string): void {
  invoked = `podtrail ${name}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file's holder ("<pid> <command>"), or null when there is none or it died. */
export function lockHolder(lockFile: string): CaseHolder | null {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8').trim();
  } catch {
    return null;
  }
  const m = /^(\d+)(?:\s+(.+))?$/.exec(text);
  const pid = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return null;
  return { pid, command: m?.[2]?.trim() || 'podtrail' };
}

/** What a process runs, from /proc (Linux): "podtrail shell" for podtrail, else the program's name. */
export function describeProcess(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a.length > 0);
    const cli = argv.findIndex((a) => /podtrail|dist[/\\]cli[/\\]index\.js$/.test(a));
    if (cli !== -1) {
      const sub = argv.slice(cli + 1).find((a) => !a.startsWith('-'));
      return sub ? `podtrail ${sub}` : 'podtrail';
    }
    return argv[0] ? argv[0].split('/').pop()! : `process ${pid}`;
  } catch {
    return 'another process';
  }
}

/** The one message for a case another process holds, whoever noticed it (lock file or DuckDB). */
export function busyMessage(caseRoot: string, holder: CaseHolder): string {
  return (
    `the case ${caseRoot} is in use by ${holder.command} (pid ${holder.pid}); wait for it to finish and run this again` +
    ` (query, hunt, schema and shell can read the last committed state meanwhile)`
  );
}

/**
 * Takes the case's exclusive lock for a command that writes to it, or returns null when a live
 * process holds it. A lock left by a dead process is taken over. The lock file names the command.
 */
export function tryLockCase(lockFile: string): (() => void) | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid} ${invoked}\n`);
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (lockHolder(lockFile) !== null) return null;
      rmSync(lockFile, { force: true });
    }
  }
  return null;
}

/** How long a writer waits for the lock (a reader holds it only while it opens the database). */
const LOCK_WAIT_MS = 3000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * An exclusive lock on a case while a command writes to it, waiting a few seconds for a holder that
 * is only opening the case; refuses (exit 6) naming the holder.
 */
export function lockCase(lockFile: string, caseRoot: string): () => void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const unlock = tryLockCase(lockFile);
    if (unlock) return unlock;
    if (Date.now() >= deadline) break;
    sleepSync(100);
  }
  const holder = lockHolder(lockFile);
  throw new CaseBusyError(busyMessage(caseRoot, holder ?? { pid: 0, command: 'another podtrail command' }));
}
