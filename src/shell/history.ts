/**
 * The shell's history file: one entry a line, oldest first, mode 0600. An entry may be a whole
 * multi-line statement: its line breaks are written as \n and a backslash as \\, so the file
 * stays one entry a line.
 */
export function encodeHistory(oldestFirst: readonly string[]): string {
  return oldestFirst.map((e) => `${e.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`).join('');
}

export function decodeHistory(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\')));
}

/**
 * readline records each typed line as an entry (newest first); once a statement spanning several
 * lines is complete, its lines are replaced by one entry holding the whole statement, so Up-arrow
 * recalls it whole.
 */
export function keepWholeStatement(newestFirst: string[], lines: readonly string[], whole: string): void {
  for (const line of [...lines, whole]) {
    const i = newestFirst.indexOf(line);
    if (i >= 0) newestFirst.splice(i, 1);
  }
  newestFirst.unshift(whole);
}
