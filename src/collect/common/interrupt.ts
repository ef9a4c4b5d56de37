/**
 * Ctrl-C (SIGINT) and SIGTERM stop a collection cleanly: the signal aborts what runs, the
 * collector records what was and was not collected and lands what it has. A second signal exits
 * at once (the checkpoint and the custody log stay valid: both are written whole).
 */
export function interruptOnSignals(onFirst: (signal: string) => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    if (count > 1) process.exit(130);
    onFirst(sig);
    controller.abort(new Interrupted(sig));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** The reason of an abort caused by the operator (a signal) or a deadline. */
export class Interrupted extends Error {
  constructor(readonly why: string) {
    super(`interrupted (${why})`);
    this.name = 'Interrupted';
  }
}
