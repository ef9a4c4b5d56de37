import { lockCase } from '../case/case-lock.js';
import type { CasePaths } from '../case/case-paths.js';
import { openCaseStore, type OpenCaseOptions } from './case-store.js';
import type { Store } from './store.js';

/**
 * Runs `fn` holding the case lock (one writer at a time, named in the lock file), and releases it
 * however `fn` ends.
 */
export async function withCaseLock<T>(p: CasePaths, fn: () => Promise<T>): Promise<T> {
  const unlock = lockCase(p.lock, p.root);
  try {
    return await fn();
  } finally {
    unlock();
  }
}

/**
 * The sequence every command that changes or exports a case repeats: take the case lock, open the
 * case's store (which settles what an interrupted command left), run `fn`, then close the store
 * and release the lock, in that order, whether `fn` or the opening fails.
 */
export async function withLockedCaseStore<T>(p: CasePaths, o: OpenCaseOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  return withCaseLock(p, () => withCaseStore(p, o, fn));
}

/** Opens the case's store for `fn` and closes it however `fn` ends (the caller holds the lock). */
export async function withCaseStore<T>(p: CasePaths, o: OpenCaseOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openCaseStore(p, o);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
