/**
 * Runs `work` with Ctrl-C turned into an abort signal: the running statement is interrupted and
 * cleaned up (its spill folder removed) before the command ends. The CLI then ends the process by
 * SIGINT itself (src/cli/index.ts), so a calling shell sees the usual status 130.
 */
export async function withCtrlC<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
