/** Cases and folders a test makes, removed after each test (and the fault hook cleared). */
import { afterEach } from 'vitest';
import { makeCase, tempDir } from '../helpers/case.js';

export function scratch(): { newCase: (o?: Parameters<typeof makeCase>[0]) => string; dir: (prefix?: string) => string; later: (f: () => void) => void } {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    delete process.env['PODTRAIL_FAULT'];
    while (cleanups.length) cleanups.pop()!();
  });
  return {
    newCase: (o) => {
      const c = makeCase(o);
      cleanups.push(c.cleanup);
      return c.caseDir;
    },
    dir: (prefix = 'podtrail-scratch-') => {
      const t = tempDir(prefix);
      cleanups.push(t.cleanup);
      return t.dir;
    },
    later: (f) => cleanups.push(f),
  };
}
