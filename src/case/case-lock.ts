import { openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import { CliError } from '../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An exclusive lock on a case while a command writes to it; a lock left by a dead process is taken over. */
export function lockCase(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) {
        throw new CliError(`the case is locked by another podtrail process (pid ${pid}); wait for it to finish`);
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new CliError(`cannot lock the case (${lockFile})`);
}
