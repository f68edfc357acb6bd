/**
 * Validation with messages that name the failing path, the same on both sides
 * (the SDK's light checks use the same templates, light-check.ts):
 * `params.dpi: expected integer, got float 1.5`.
 */
import type { z } from 'zod';
import { ScanbridgeError } from './errors.js';
import { issueText } from './light-check.js';

function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function bound(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, limit: number | bigint, path: string, value: unknown, small: boolean): string {
  const op = issue.exact ? '=' : small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  const what = issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint' ? 'number' : issue.origin;
  return issueText.bound(path, what, op, Number(limit), value);
}

export function formatIssues(error: z.core.$ZodError, input: unknown, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      const value = at(input, issue.path);
      switch (issue.code) {
        case 'unrecognized_keys':
          return issueText.unknownKeys(path, issue.keys);
        case 'invalid_type':
          return issueText.type(path, issue.expected, value);
        case 'invalid_value':
          return issueText.values(path, issue.values, value);
        case 'too_big':
          return bound(issue, issue.maximum, path, value, false);
        case 'too_small':
          return bound(issue, issue.minimum, path, value, true);
        default:
          return `${path}: ${issue.message.replace(/^Invalid input: /, '')}`;
      }
    })
    .join('; ');
}

/** Parse `input` with `schema`, or throw a ScanbridgeError naming the path. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix: string,
  code: 'invalid-params' | 'invalid-request' | 'invalid-settings' = 'invalid-params',
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ScanbridgeError(code, formatIssues(parsed.error, input, prefix), {
    path: parsed.error.issues[0]?.path.map(String).join('.') ?? '',
  });
}
