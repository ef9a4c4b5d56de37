/**
 * Collects input lines into SQL statements: a statement ends at a `;` outside quotes and
 * comments, so a statement may span lines and a line may hold several statements.
 */
export class StatementBuffer {
  private text = '';
  private quote: "'" | '"' | null = null;
  private blockComment = false;

  /** Adds one line; returns the statements it completed (each with its `;`). */
  push(line: string): string[] {
    const done: string[] = [];
    let start = 0;
    const s = line;
    let lineComment = false;
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!;
      const next = s[i + 1];
      if (lineComment) break;
      if (this.blockComment) {
        if (ch === '*' && next === '/') {
          this.blockComment = false;
          i++;
        }
        continue;
      }
      if (this.quote) {
        if (ch === this.quote) {
          if (next === this.quote) i++;
          else this.quote = null;
        }
        continue;
      }
      if (ch === "'" || ch === '"') this.quote = ch;
      else if (ch === '-' && next === '-') lineComment = true;
      else if (ch === '/' && next === '*') {
        this.blockComment = true;
        i++;
      } else if (ch === ';') {
        const stmt = this.text + s.slice(start, i + 1);
        this.text = '';
        start = i + 1;
        if (hasSql(stmt)) done.push(stmt.trim());
      }
    }
    const rest = s.slice(start);
    if (this.text !== '' || hasSql(rest) || this.quote || this.blockComment) this.text += rest + '\n';
    return done;
  }

  /** True while a statement has begun and not ended. */
  get pending(): boolean {
    return this.quote !== null || this.blockComment || hasSql(this.text);
  }

  /** Whatever was typed since the last statement ended (for end of input). */
  take(): string {
    const t = this.text.trim();
    this.clear();
    return t;
  }

  clear(): void {
    this.text = '';
    this.quote = null;
    this.blockComment = false;
  }
}

/** Text holds something besides whitespace, `;` and comments. */
function hasSql(text: string): boolean {
  return text.replace(/--[^\n]*|\/\*[\s\S]*?(\*\/|$)/g, ' ').replace(/;/g, ' ').trim() !== '';
}
