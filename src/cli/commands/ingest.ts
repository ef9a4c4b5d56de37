import { Option, type Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { ingestCase } from '../../ingest/ingest-case.js';
import { summaryLine, summaryTotals } from '../../ingest/summary.js';
import { summaryText } from '../../cloudtrail-digest/materialize.js';
import { createClock } from '../../core/clock.js';
import { CliError, ExitCode } from '../../core/errors.js';
import { SOURCE_TYPES } from '../../collectors/types.js';
import { progressOf } from '../progress.js';

export function registerIngest(program: Command, io: Io): void {
  program
    .command('ingest')
    .description('acquire inputs into the case (copy, hash, custody) and land them in the Parquet lake')
    .argument('<case>', 'case folder (created by podtrail init)')
    .argument('[paths...]', 'input files or folders (.gz accepted; mixed types are split by content)')
    .addOption(new Option('--source <type>', 'declare the type instead of detecting it').choices(SOURCE_TYPES))
    .option('--operator <name>', 'who acquires the evidence (default: the OS user)')
    .option('--snapshot-at <iso>', 'instant of inventory snapshots (default: from each file name)')
    .option('--collected-at <iso>', 'when the inputs were collected from their source (when `aws cloudtrail lookup-events` ran: it sets the 90-day horizon)')
    .option('--as-of <iso>', `pin the clock for acquisition times (or PODTRAIL_AS_OF)`)
    .option('--ip-ranges <file>', "AWS's ip-ranges.json, acquired as evidence (source aws-ip-ranges): connects to AWS's public addresses count as connects to AWS")
    .action(async (caseDir, paths, o) => {
      if (paths.length === 0 && !o.ipRanges) throw new CliError('give at least one input path (or --ip-ranges FILE)', ExitCode.usage);
      const base = { caseDir, operator: o.operator ?? null, snapshotAt: o.snapshotAt ?? null, collectedAt: o.collectedAt ?? null, clock: createClock(o.asOf), log: (line: string) => io.err(`${line}\n`), progress: progressOf(io) };
      const runs = [];
      if (paths.length > 0) runs.push(await ingestCase({ ...base, paths, source: o.source ?? null }));
      if (o.ipRanges) runs.push(await ingestCase({ ...base, paths: [o.ipRanges], source: 'aws-ip-ranges' }));
      for (const result of runs) {
        for (const f of result.files) io.out(`${summaryLine(f)}\n`);
        if (result.trail) io.out(`${summaryText(result.trail)} (podtrail correlate records each verdict in cloudtrail_validation)\n`);
        io.err(`${summaryTotals(result)}\n`);
      }
      if (!runs.every((r) => r.usable)) throw new CliError('nothing usable was read from the inputs', ExitCode.noUsableInput);
    });
}
