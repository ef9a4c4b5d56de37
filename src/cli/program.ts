import { Command, CommanderError } from '@commander-js/extra-typings';
import { CliError, ExitCode, InterruptedError } from '../core/errors.js';
import { termText } from '../output/terminal-text.js';
import { TOOL_VERSION } from '../core/version.js';
import { registerInit } from './commands/init.js';
import { registerIngest } from './commands/ingest.js';
import { registerQuery } from './commands/query.js';
import { registerSchema } from './commands/schema.js';
import { registerCorrelate } from './commands/correlate.js';
import { registerCheck } from './commands/check.js';
import { registerGenerate } from './commands/generate.js';
import { registerBundle } from './commands/bundle.js';
import { registerVerify } from './commands/verify.js';
import { registerKeygen } from './commands/keygen.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerRun } from './commands/run.js';
import { registerDemo } from './commands/demo.js';
import { registerHunts } from './commands/hunt.js';
import { registerShell } from './commands/shell.js';
import { registerCollect } from './commands/collect.js';
import { setInvokedCommand } from '../case/case-lock.js';
import { registerSensor } from './commands/sensor.js';
import { HELP_EXAMPLES, examplesText } from './help-examples.js';

/** Where commands print: injectable so tests capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (tables for people, machine formats for pipes). */
  isTty: boolean;
  columns: number;
  /** Resolves once stdout can take more (streamed query results wait on a slow reader). */
  drained?(): Promise<void>;
  /** True when stderr is a terminal: progress is then one live line (default false: one line per step). */
  errIsTty?: boolean;
  errColumns?: number;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  drained: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', () => resolve())) : Promise.resolve()),
  err: (t) => process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY),
  columns: process.stdout.columns ?? 120,
  errIsTty: Boolean(process.stderr.isTTY),
  errColumns: process.stderr.columns ?? 120,
};

/** Builds a fresh program; tests build one per case (`createProgram(io).exitOverride()`). */
export function createProgram(io: Io = processIo) {
  const program = new Command('podtrail')
    .description('Which pod made this cloud API call? Evidence lake, correlation and a signed evidence bundle.')
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    // commander's own exits become errors (every subcommand inherits this): runCli maps them to exit codes
    .exitOverride()
    // a case's lock file names the command holding it
    .hook('preAction', (_program, action) => setInvokedCommand(action.name()));
  registerInit(program, io);
  registerIngest(program, io);
  registerCollect(program, io);
  registerSensor(program, io);
  registerQuery(program, io);
  registerSchema(program, io);
  registerCorrelate(program, io);
  registerCheck(program, io);
  registerGenerate(program, io);
  registerBundle(program, io);
  registerVerify(program, io);
  registerKeygen(program, io);
  registerRun(program, io);
  registerDemo(program, io);
  registerReproduce(program, io);
  registerHunts(program, io);
  registerShell(program, io);
  for (const command of program.commands) {
    const examples = HELP_EXAMPLES[command.name()];
    if (examples) command.addHelpText('after', examplesText(examples));
  }
  program.addHelpText('after', `${examplesText(['podtrail demo', 'podtrail init incident-42 --from 2026-10-20T09:00:00Z --to 2026-10-20T13:00:00Z', 'podtrail ingest incident-42 ./evidence/', 'podtrail run incident-42 --key ./analyst.key'])}

Reference: README.md and docs/ (docs/schema.md for every table).`);
  return program;
}

export type Program = ReturnType<typeof createProgram>;

/** Commander's ways of ending that are not errors: help and version were asked for. */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Runs one command line and returns its exit status (README, "Exit status"): 0 success, the
 * CliError's own code, 2 for every usage error commander finds (unknown command or option, missing
 * argument or option, bad value: it has printed the message and the help already), 1 otherwise.
 */
export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) return NOT_ERRORS.has(e.code) ? ExitCode.ok : ExitCode.usage;
    // an interrupted command has cleaned up: the bin ends it as an interrupted process
    if (e instanceof InterruptedError) throw e;
    // messages quote file names, SQL and evidence values: nothing reaches the terminal raw
    if (e instanceof CliError) {
      io.err(`podtrail: ${termText(e.message)}\n`);
      return e.exitCode;
    }
    io.err(`podtrail: internal error: ${termText(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    return ExitCode.error;
  }
}
