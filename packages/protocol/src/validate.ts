/**
 * Validation with messages that name the failing path, the same on both sides:
 * `params.dpi: expected integer, got 1.5`.
 */
import type { z } from 'zod';
import { ScanbridgeError } from './errors.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return value.length > 40 ? `string of length ${value.length}` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function formatIssues(error: z.ZodError, input: unknown, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      if (issue.code === 'unrecognized_keys') return `${path}: unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      const got = issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'too_big' || issue.code === 'too_small' ? `, got ${describe(at(input, issue.path))}` : '';
      return `${path}: ${issue.message.replace(/^Invalid input: /, '')}${got}`;
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
