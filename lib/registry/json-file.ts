import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { CellkitConfigError, fieldPath, show, valueAt } from './errors';

/** Reads a JSON file, refusing a missing file or broken JSON with the file named. */
export function readJsonFile(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CellkitConfigError([`${label}: cannot read ${file}: ${(e as Error).message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CellkitConfigError([`${label}: ${path.basename(file)} is not valid JSON: ${(e as Error).message}`]);
  }
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
