import * as fs from 'fs';
import * as path from 'path';
import { ParseError, parse as parseTolerant } from 'jsonc-parser';
import { z } from 'zod';
import { CellkitConfigError, fieldPath, show, valueAt } from './errors';

const BOM = '\uFEFF';

/**
 * Reads a JSON file, refusing a missing file, a UTF-8 byte order mark or broken JSON with the file named
 * and, for broken JSON, the line and column of the first problem.
 */
export function readJsonFile(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CellkitConfigError([code === 'ENOENT' ? `${label}: cannot read ${file}: the file is missing` : `${label}: cannot read ${file}: ${(e as Error).message}`]);
  }
  return parseJsonText(text, file, label);
}

/** Parses JSON text read from `file`; see readJsonFile. */
export function parseJsonText(text: string, file: string, label: string): unknown {
  if (text.startsWith(BOM)) {
    throw new CellkitConfigError([`${label}: ${file} starts with a UTF-8 byte order mark (BOM, U+FEFF), which JSON does not allow; save the file as UTF-8 without BOM`]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const { line, column } = lineAndColumn(text, errorOffset(text, (e as Error).message));
    throw new CellkitConfigError([`${label}: ${path.basename(file)} is not valid JSON at line ${line}, column ${column}: ${plainMessage((e as Error).message)} (${file})`]);
  }
}

/**
 * Where JSON.parse failed. V8 names a position for most errors (its wording differs between Node versions);
 * for the others, jsonc-parser (strict mode: no comments, no trailing commas) finds the first error.
 */
function errorOffset(text: string, message: string): number {
  const v8 = /at position (\d+)/.exec(message);
  if (v8) return Number(v8[1]);
  const errors: ParseError[] = [];
  parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset ?? text.length;
}

/** V8's message without its position suffix (we give line and column instead). */
function plainMessage(message: string): string {
  return message.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '').replace(/, ".*" is not valid JSON$/s, '');
}

/** 1-based line and column of a 0-based character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Validates `input` against `schema`; each problem names the field, what was given and what is allowed. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, label: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new CellkitConfigError(result.error.issues.map((issue) => describeIssue(issue, input, label)));
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, label: string): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` in "${fieldPath(issue.path)}"` : '';
    return `${label}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where}; remove ${issue.keys.length > 1 ? 'them' : 'it'} (see the JSON Schema for the allowed fields)`;
  }
  if (issue.code === 'invalid_key') {
    const key = String(issue.path[issue.path.length - 1]);
    return `${label}: field "${fieldPath(issue.path.slice(0, -1))}": key ${show(key)} ${issue.issues[0]?.message ?? 'is not allowed'}`;
  }
  const got = valueAt(input, issue.path);
  return `${label}: field "${fieldPath(issue.path)}": ${issue.message}; got ${show(got)}`;
}
