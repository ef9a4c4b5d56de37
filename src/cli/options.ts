/** Shared option parsers for command files. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
