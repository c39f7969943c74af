// No imports: shared by the node scripts.

/** Single-quotes a value for bash (tokens pass through unchanged: they contain no quotes). */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
