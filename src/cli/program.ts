import { Command } from '@commander-js/extra-typings';
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
import { registerSensor } from './commands/sensor.js';

/** Where commands print: injectable so tests capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (tables for people, machine formats for pipes). */
  isTty: boolean;
  columns: number;
  /** Resolves once stdout can take more (streamed query results wait on a slow reader). */
  drained?(): Promise<void>;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  drained: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', () => resolve())) : Promise.resolve()),
  err: (t) => process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY),
  columns: process.stdout.columns ?? 120,
};

/** Builds a fresh program; tests build one per case (`createProgram(io).exitOverride()`). */
export function createProgram(io: Io = processIo) {
  const program = new Command('podtrail')
    .description('Which pod made this cloud API call? Evidence lake, correlation and a signed evidence bundle.')
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
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
  return program;
}

export type Program = ReturnType<typeof createProgram>;
