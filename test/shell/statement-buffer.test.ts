import { describe, expect, it } from 'vitest';
import { StatementBuffer } from '../../src/shell/statement-buffer.js';
import { splitWords } from '../../src/shell/dot-args.js';

describe('the shell\'s statement buffer', () => {
  it('ends a statement at ; and keeps multi-line statements together', () => {
    const b = new StatementBuffer();
    expect(b.push('select 1')).toEqual([]);
    expect(b.pending).toBe(true);
    expect(b.push('  as x;')).toEqual(['select 1\n  as x;']);
    expect(b.pending).toBe(false);
  });

  it('splits several statements on one line and keeps the rest pending', () => {
    const b = new StatementBuffer();
    expect(b.push('select 1; select 2; select')).toEqual(['select 1;', 'select 2;']);
    expect(b.pending).toBe(true);
    expect(b.push('3;')).toEqual(['select\n3;']);
  });

  it('ignores ; inside quotes and comments', () => {
    const b = new StatementBuffer();
    expect(b.push("select 'a;b' as \"c;d\" -- not the end;")).toEqual([]);
    expect(b.push('/* still ; not */ ;')).toEqual([`select 'a;b' as "c;d" -- not the end;\n/* still ; not */ ;`]);
    expect(b.push("select 'it''s;")).toEqual([]);
    expect(b.pending).toBe(true);
    expect(b.push("';")).toEqual(["select 'it''s;\n';"]);
  });

  it('does not count blank lines, comments or a lone ; as a statement', () => {
    const b = new StatementBuffer();
    expect(b.push('')).toEqual([]);
    expect(b.push('-- a comment')).toEqual([]);
    expect(b.push(';')).toEqual([]);
    expect(b.pending).toBe(false);
    expect(b.take()).toBe('');
  });

  it('splits dot-command words, with quotes', () => {
    expect(splitWords(`run event-chain event_id="a b" x='c d' y=e`)).toEqual(['run', 'event-chain', 'event_id=a b', 'x=c d', 'y=e']);
  });
});
