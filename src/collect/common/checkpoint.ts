import { existsSync, readFileSync } from 'node:fs';
import { writeFileDurably } from '../../custody/custody-log.js';
import { CliError } from '../../core/errors.js';

/**
 * A collection's resume state, one JSON file written whole (temp file, fsync, rename), so an
 * interrupted run leaves either the previous state or the new one, never half of each.
 */
export class Checkpoint<T extends { format: string }> {
  constructor(
    readonly file: string,
    readonly state: T,
  ) {}

  static load<T extends { format: string }>(file: string, format: string): Checkpoint<T> | null {
    if (!existsSync(file)) return null;
    let state: T;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (e) {
      throw new CliError(`${file}: unreadable collection checkpoint (${(e as Error).message}); move the collection folder aside to start afresh`);
    }
    if (state.format !== format) throw new CliError(`${file}: not a ${format} checkpoint (format ${JSON.stringify(state.format)})`);
    return new Checkpoint(file, state);
  }

  save(): void {
    writeFileDurably(this.file, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}
