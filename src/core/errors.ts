/** Exit codes are part of the CLI contract (README, "Exit status"). */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  /** Input evidence could not be used at all (nothing landed). */
  noUsableInput: 3,
  /** An integrity check failed (hash mismatch, broken custody chain, bad signature). */
  integrity: 4,
  /** verify: the bundle is intact, but no pinned key authenticates its signer (unsigned, or signed by the key it ships). */
  unauthenticated: 5,
  /** Another process holds the case (a podtrail command writing to it, or a reader of case.duckdb). */
  busy: 6,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: printed as one message, no stack, with its exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.error) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

/** case.yaml or the case folder is invalid. */
export class CaseError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.error);
    this.name = 'CaseError';
  }
}

export class IntegrityError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.integrity);
    this.name = 'IntegrityError';
  }
}

/** A SQL file under sql/ or queries/ failed to apply: names the file and the statement. */
export class SqlFileError extends CliError {
  readonly path: string;
  readonly statementIndex: number;
  constructor(path: string, statementIndex: number, duckdbMessage: string) {
    super(`${path} (statement ${statementIndex + 1}): ${duckdbMessage}`, ExitCode.error);
    this.name = 'SqlFileError';
    this.path = path;
    this.statementIndex = statementIndex;
  }
}

/** An analyst query was refused or failed (read-only, single SELECT). */
export class QueryError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.error);
    this.name = 'QueryError';
  }
}

/** A bug: something podtrail itself got wrong. Printed with its stack. */
export class InternalError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.error;
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

/** The user interrupted the command (Ctrl-C): the CLI cleans up, then ends by that same signal. */
export class InterruptedError extends CliError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.error);
    this.name = 'InterruptedError';
  }
}

/** verify: intact, but the signer is not authenticated by a pinned key (and --allow-unpinned was not given). */
export class UnauthenticatedError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.unauthenticated);
    this.name = 'UnauthenticatedError';
  }
}
