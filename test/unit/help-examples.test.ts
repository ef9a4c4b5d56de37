/** `--help` of every command ends with examples that name the command they document. */
import { describe, expect, it } from 'vitest';
import { createProgram, type Io } from '../../src/cli/program.js';

/** What `podtrail ARGS... --help` prints (commander prints addHelpText only through outputHelp). */
function helpOf(args: string[]): string {
  let out = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (out += t), isTty: false, columns: 200 };
  type Cmd = { commands: readonly Cmd[]; name(): string; outputHelp(): void };
  let cmd = createProgram(io) as unknown as Cmd;
  for (const name of args) cmd = cmd.commands.find((c) => c.name() === name)!;
  cmd.outputHelp();
  return out;
}

describe('--help examples', () => {
  const names = createProgram().commands.map((c) => c.name());

  it.each(names)('podtrail %s --help shows examples of the command', (name) => {
    const text = helpOf([name]);
    const examples = text.slice(text.indexOf('Examples:'));
    expect(text).toContain('Examples:');
    expect(examples).toMatch(new RegExp(`podtrail ${name}\\b`));
  });

  it('podtrail --help shows the path from a case to a bundle', () => {
    const text = helpOf([]);
    expect(text).toContain('Examples:');
    expect(text).toContain('podtrail run incident-42');
  });
});
