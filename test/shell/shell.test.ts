import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir, tetragonCase } from '../helpers/case.js';
import { CLI, distIsFresh } from '../helpers/dist.js';
import { runShell, defaultHistoryFile, PROMPT, CONTINUATION } from '../../src/shell/shell.js';

let caseDir: string;
let home: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const c = await tetragonCase(3);
  cleanups.push(c.cleanup);
  caseDir = c.caseDir;
  const h = tempDir('podtrail-home-');
  cleanups.push(h.cleanup);
  home = h.dir;
});
afterAll(() => cleanups.forEach((f) => f()));

/** Runs the shell on piped input (not a terminal): what scripts and `podtrail shell CASE < file` do. */
async function piped(text: string): Promise<{ out: string; err: string; code: number }> {
  const input = new PassThrough();
  const output = new PassThrough();
  const error = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (d: Buffer) => (out += d.toString()));
  error.on('data', (d: Buffer) => (err += d.toString()));
  input.end(text);
  const code = await runShell(caseDir, { input, output, error, terminal: false, columns: 100, historyFile: null });
  return { out, err, code };
}

describe('podtrail shell on piped input', () => {
  it('runs multi-line statements and several on one line, in order, as NDJSON', async () => {
    const r = await piped('select count(*) as n\n  from runtime_events\n  where pod_name = \'api-0\';\nselect 1 as a; select 2 as b;\n');
    expect(r.out).toBe('{"n":"3"}\n{"a":1}\n{"b":2}\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('runs a last statement without ; at the end of input', async () => {
    expect((await piped('select 7 as last')).out).toBe('{"last":7}\n');
  });

  it('answers .help, .tables, .schema, .hunts and .run', async () => {
    const r = await piped('.help\n.format csv\n.tables\n.schema case_node_offsets\n.schema int_pod__container_ids\n.hunts\n.run out-of-scope-counts\n.run calls-from-address source_ip="203.0.113.9"\n');
    expect(r.err).toBe('');
    expect(r.out).toContain('.run HUNT k=v ...');
    expect(r.out).toContain('runtime_events,lake table\n');
    expect(r.out).toContain('attributions,correlation table\n');
    expect(r.out).toContain('case_settings,case table\n');
    expect(r.out).toContain('int_attr__final,internal view\n');
    expect(r.out).toContain('### case_node_offsets\n');
    expect(r.out).toContain('| offset_seconds | DOUBLE | Declared offset, seconds. |');
    expect(r.out).toContain('int_pod__container_ids: internal view');
    expect(r.out).toContain('event-chain\n  The full chain behind one cloud event');
    expect(r.out).toContain('scope,source,namespace,records,files\n');
    expect(r.out).toContain('ts,event_id,event_source,event_name');
  });

  it('switches formats, limits rows and binds .param values', async () => {
    const r = await piped('.format json\nselect pid from runtime_events order by pid;\n.limit 1\n.format\n.limit\nselect pid from runtime_events order by pid;\n.limit off\n.param pod=api-0\n.param\n.format ndjson\nselect count(*) as n from runtime_events where pod_name = $pod;\nselect 1 as unrelated;\n.param clear\nselect $pod as p;\n');
    expect(r.out).toBe('[{"pid":"1000"},{"pid":"1001"},{"pid":"1002"}]\njson\n1\n[{"pid":"1000"}]\n$pod = api-0\n{"n":"3"}\n{"unrelated":1}\n');
    expect(r.err).toBe('Error: the query uses $pod: give it with .param pod=VALUE\n');
    expect(r.code).toBe(1);
  });

  it('reports errors with their position and goes on; exit status 1 when input is not a terminal', async () => {
    const r = await piped('select * from runtime_evnts;\n.nope\n.run no-such-hunt\n.run calls-from-address\n.limit -1\n.limit 99999999999999999999\nselect 3 as ok;\n');
    expect(r.out).toBe('{"ok":3}\n');
    expect(r.err).toContain('Error: Catalog Error: Table with name runtime_evnts does not exist!\nDid you mean "runtime_events"?\n\nLINE 1: select * from runtime_evnts;\n');
    expect(r.err).toContain('Error: unknown command ".nope"');
    expect(r.err).toContain('Error: no hunt named "no-such-hunt"');
    expect(r.err).toContain('Error: hunt calls-from-address needs --param source_ip=<varchar>');
    expect(r.err).toContain('Error: .limit (a number or off): "-1" is not a non-negative integer');
    expect(r.err).toContain('Error: .limit (a number or off): "99999999999999999999" is not a non-negative integer');
    expect(r.code).toBe(1);
  });

  it('stops at .quit', async () => {
    expect((await piped('select 1 as a;\n.quit\nselect 2 as b;\n')).out).toBe('{"a":1}\n');
  });

  describe('is read-only: every escape is refused with a clear message, and nothing is written', () => {
    const attempts: [string, string, RegExp][] = [
      ['COPY out of the case', "copy (select 1) to '/tmp/podtrail-shell-escape.csv';", /refused: only a single read-only SELECT is allowed \(COPY writes files\)/],
      ['COPY inside the case', "copy runtime_events to 'CASE/lake/copy.parquet';", /COPY writes files/],
      ['EXPORT', "export database 'CASE/export';", /EXPORT writes files/],
      ['ATTACH', "attach 'CASE/other.duckdb' as other;", /ATTACH opens another database/],
      ['reading outside the case', "select * from read_csv('/etc/passwd');", /refused: .*disabled by configuration/],
      ['INSTALL', 'install httpfs;', /INSTALL installs an extension/],
      ['LOAD', 'load httpfs;', /LOAD loads an extension/],
      ['SET', 'set enable_external_access = true;', /SET changes the configuration/],
      ['a write', 'create table t as select 1;', /CREATE writes to the case/],
      ['COPY smuggled through query()', "select * from query('copy (select 1) to ''CASE/lake/copy.parquet''');", /single SELECT/],
    ];
    for (const [what, sql, msg] of attempts) {
      it(`refuses ${what}`, async () => {
        const r = await piped(sql.replaceAll('CASE', caseDir) + '\n');
        expect(r.err).toMatch(msg);
        expect(r.code).toBe(1);
        expect(existsSync(path.join(caseDir, 'lake', 'copy.parquet'))).toBe(false);
        expect(existsSync(path.join(caseDir, 'export'))).toBe(false);
        expect(existsSync(path.join(caseDir, 'other.duckdb'))).toBe(false);
        expect(existsSync('/tmp/podtrail-shell-escape.csv')).toBe(false);
      });
    }
  });
});

describe('podtrail shell on a terminal', () => {
  /** Drives the shell's terminal mode (line editing, prompts, history) with keystrokes. */
  async function terminal(keys: string[], historyFile: string): Promise<{ out: string; code: number }> {
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => (out += d.toString()));
    const done = runShell(caseDir, { input, output, error: output, terminal: true, columns: 100, historyFile });
    for (let i = 0; i < 200 && !out.includes(PROMPT); i++) await new Promise((r) => setTimeout(r, 50));
    for (const k of keys) {
      input.write(k);
      await new Promise((r) => setTimeout(r, 50));
    }
    const code = await done;
    return { out, code };
  }

  it('prompts, continues multi-line statements, keeps history across sessions and leaves on Ctrl-D', async () => {
    const history = path.join(home, '.podtrail_history');
    const first = await terminal(['select 40 + 2\r', 'as answer;\r', '.format csv\r', '\x04'], history);
    expect(first.code).toBe(0);
    expect(first.out).toContain(PROMPT);
    expect(first.out).toContain(CONTINUATION);
    expect(first.out).toContain('| answer |');
    expect(first.out).toContain('| 42     |');
    // the statement typed on two lines is one history entry (its line break kept as \n in the file)
    expect(readFileSync(history, 'utf8')).toBe('select 40 + 2\\nas answer;\n.format csv\n');
    // Up-arrow twice recalls the whole statement of the last session; Enter runs it; Ctrl-C clears a half-typed one.
    const second = await terminal(['\x1b[A\x1b[A\r', 'select 1\r', '\x03', 'select 5 as five;\r', '\x04'], history);
    expect(second.code).toBe(0);
    expect(second.out).toContain('| answer |');
    expect(second.out).toContain('^C');
    expect(second.out).toContain('| five |');
    expect(second.out).not.toContain('| 1 |');
  });

  it('keeps history in $HOME/.podtrail_history only when HOME is writable', () => {
    expect(defaultHistoryFile({ HOME: home })).toBe(path.join(home, '.podtrail_history'));
    expect(defaultHistoryFile({ HOME: path.join(home, 'missing') })).toBeNull();
    expect(defaultHistoryFile({})).toBeNull();
    expect(defaultHistoryFile({ HOME: home, PODTRAIL_HISTORY: '' })).toBeNull();
    expect(defaultHistoryFile({ HOME: home, PODTRAIL_HISTORY: '/x/h' })).toBe('/x/h');
  });
});

const fresh = distIsFresh();
const hasPython = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!fresh)('the built binary (dist/cli/index.js shell)', () => {
  it('reads statements from its standard input and exits 0', () => {
    const r = spawnSync(process.execPath, [CLI, 'shell', caseDir], { input: 'select 1 as one;\n.tables\n', encoding: 'utf8', env: { ...process.env, HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('{"one":1}');
    expect(r.stdout).toContain('{"name":"runtime_events","kind":"lake table"}');
  });

  it('exits 1 with the error on stderr when a piped statement fails', () => {
    const r = spawnSync(process.execPath, [CLI, 'shell', caseDir], { input: "copy (select 1) to 'x.csv';\n", encoding: 'utf8', env: { ...process.env, HOME: home } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('refused: only a single read-only SELECT is allowed (COPY writes files)');
  });

  it.skipIf(!hasPython)('runs in a pseudo-terminal: prompt, table, history file, Ctrl-D exits 0', () => {
    const script = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], 'shell', sys.argv[3]])
out = b''
def pump(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
    return True
pump(8)
for keys in [b'select 6 * 7\\r', b'as answer;\\r', b'\\x04']:
    os.write(fd, keys)
    pump(3)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.stdout.write('\\nEXIT %d\\n' % os.waitstatus_to_exitcode(status))
`;
    const ptyHome = tempDir('podtrail-ptyhome-');
    cleanups.push(ptyHome.cleanup);
    const r = spawnSync('python3', ['-c', script, process.execPath, CLI, caseDir], { encoding: 'utf8', env: { ...process.env, HOME: ptyHome.dir, PODTRAIL_HISTORY: undefined as unknown as string }, timeout: 60_000 });
    expect(r.stdout).toContain('podtrail> ');
    expect(r.stdout).toContain('   ...> ');
    expect(r.stdout).toContain('| answer |');
    expect(r.stdout).toContain('| 42     |');
    expect(r.stdout).toMatch(/EXIT 0\n$/);
    expect(readFileSync(path.join(ptyHome.dir, '.podtrail_history'), 'utf8')).toBe('select 6 * 7\\nas answer;\n');
  });
});
