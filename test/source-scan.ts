// Scans of the repository's TypeScript sources for facts spelled outside their one place (CONTRIBUTING.md,
// "One source for each fact").
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './fixtures';

export interface SourceLine {
  /** Path from the repository root. */
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Every line of the `.ts` files under `dirs` (from the repository root) that `pattern` matches. */
export function sourceLines(dirs: readonly string[], pattern: RegExp): SourceLine[] {
  const found: SourceLine[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) {
        fs.readFileSync(path.join(REPO_ROOT, child), 'utf8').split('\n').forEach((text, i) => {
          if (pattern.test(text)) found.push({ file: child, line: i + 1, text: text.trim() });
        });
      }
    }
  };
  dirs.forEach(walk);
  return found;
}

/** `file:line: text`, for readable test failures. */
export function located(lines: readonly SourceLine[]): string[] {
  return lines.map((l) => `${l.file}:${l.line}: ${l.text}`);
}
