/**
 * The protocol's checks without a schema library, for the browser SDK: the
 * shape of params (types, ranges, allowed values, unknown keys) as described
 * by method-table.ts, which is generated from the zod schemas. A check here
 * is only ever weaker than the schema (refinements, unions and deep nesting
 * are left to the service, which stays the full validator), and its messages
 * come from the same templates as the service's (`issueText`), so a page gets
 * `params.settings.dpi: expected integer, got float 1.5` from either end.
 */
import { ScanbridgeError } from './errors.js';

/** What the SDK checks of one value; generated, never written by hand. */
export type Check =
  | { readonly t: 'any' }
  | { readonly t: 'string' | 'boolean' }
  | { readonly t: 'number'; readonly int?: true; readonly min?: number; readonly gt?: number; readonly max?: number; readonly lt?: number }
  | { readonly t: 'array'; readonly of?: Checked; readonly min?: number; readonly max?: number }
  | { readonly t: 'object'; readonly keys?: { readonly [key: string]: Checked }; readonly strict?: true }
  | { readonly t: 'values'; readonly values: readonly (string | number | boolean | null)[] }
  /** One of several object shapes told apart by the value of `key` (events). */
  | { readonly t: 'union'; readonly key: string; readonly kinds: { readonly [kind: string]: Checked } };

/** A check plus what may stand in for the value: left out (optional or defaulted, `def` the schema's plain default) or null. */
export type Checked = Check & { readonly opt?: true; readonly null?: true; readonly def?: string | number | boolean | null };

/**
 * How a value is named in messages: the value when it is short; `typed` adds
 * its kind, for a message about the type (`expected integer, got float 1.5`).
 */
export function describeValue(value: unknown, typed = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === 'string') return value.length > 40 ? `string of length ${value.length}` : typed ? `string ${JSON.stringify(value)}` : JSON.stringify(value);
  if (!typed || (typeof value === 'number' && !Number.isFinite(value))) return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'integer' : 'float'} ${value}`;
  if (typeof value === 'boolean') return `boolean ${value}`;
  return typeof value;
}

/** The message templates both ends use. */
export const issueText = {
  type: (path: string, expected: string, value: unknown) => `${path}: expected ${expected === 'int' ? 'integer' : expected}, got ${describeValue(value, true)}`,
  bound: (path: string, what: string, op: '>=' | '>' | '<=' | '<' | '=', limit: number, value: unknown) =>
    what === 'number' ? `${path}: expected number ${op} ${limit}, got ${describeValue(value)}` : `${path}: expected ${what} of length ${op} ${limit}, got ${describeValue(value)}`,
  values: (path: string, values: readonly unknown[], value: unknown) =>
    `${path}: expected ${values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`}, got ${describeValue(value)}`,
  unknownKeys: (path: string, keys: readonly string[]) => `${path}: unknown key ${keys.map((k) => JSON.stringify(k)).join(', ')}`,
};

interface Failure {
  message: string;
  path: string[];
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function join(prefix: string, path: readonly string[]): string {
  return [prefix, ...path].filter(Boolean).join('.');
}

function first(check: Checked, value: unknown, prefix: string, path: string[]): Failure | null {
  if (value === undefined && check.opt) return null;
  if (value === null && check.null) return null;
  const at = join(prefix, path);
  const fail = (message: string): Failure => ({ message, path });
  switch (check.t) {
    case 'any':
      return null;
    case 'values':
      return check.values.includes(value as string) ? null : fail(issueText.values(at, check.values, value));
    case 'string':
    case 'boolean':
      return typeof value === check.t ? null : fail(issueText.type(at, check.t, value));
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(issueText.type(at, 'number', value));
      if (check.int && !Number.isSafeInteger(value)) return fail(issueText.type(at, 'int', value));
      if (check.min !== undefined && value < check.min) return fail(issueText.bound(at, 'number', '>=', check.min, value));
      if (check.gt !== undefined && value <= check.gt) return fail(issueText.bound(at, 'number', '>', check.gt, value));
      if (check.max !== undefined && value > check.max) return fail(issueText.bound(at, 'number', '<=', check.max, value));
      if (check.lt !== undefined && value >= check.lt) return fail(issueText.bound(at, 'number', '<', check.lt, value));
      return null;
    }
    case 'array': {
      if (!Array.isArray(value)) return fail(issueText.type(at, 'array', value));
      if (check.min !== undefined && value.length < check.min) return fail(issueText.bound(at, 'array', '>=', check.min, value));
      if (check.max !== undefined && value.length > check.max) return fail(issueText.bound(at, 'array', '<=', check.max, value));
      if (check.of) {
        for (let i = 0; i < value.length; i += 1) {
          const failure = first(check.of, value[i], prefix, [...path, String(i)]);
          if (failure) return failure;
        }
      }
      return null;
    }
    case 'union': {
      if (typeOf(value) !== 'object') return fail(issueText.type(at, 'object', value));
      const kind = (value as Record<string, unknown>)[check.key];
      const inner = typeof kind === 'string' && Object.hasOwn(check.kinds, kind) ? check.kinds[kind] : undefined;
      return inner ? first(inner, value, prefix, path) : fail(issueText.values(join(prefix, [...path, check.key]), Object.keys(check.kinds), kind));
    }
    case 'object': {
      if (typeOf(value) !== 'object') return fail(issueText.type(at, 'object', value));
      const record = value as Record<string, unknown>;
      const keys = check.keys ?? {};
      for (const [key, inner] of Object.entries(keys)) {
        const failure = first(inner, Object.hasOwn(record, key) ? record[key] : undefined, prefix, [...path, key]);
        if (failure) return failure;
      }
      const unknown = check.strict ? Object.keys(record).filter((key) => !Object.hasOwn(keys, key)) : [];
      return unknown.length > 0 ? fail(issueText.unknownKeys(at, unknown)) : null;
    }
  }
}

/**
 * Check `value` (named `prefix` in messages) and throw the first failure as a
 * ScanbridgeError, as the service's parseOrThrow would for the same value.
 */
export function lightCheck(check: Checked, value: unknown, prefix: string, code: 'invalid-params' | 'invalid-request' = 'invalid-params'): void {
  const failure = first(check, value, prefix, []);
  if (failure) throw new ScanbridgeError(code, failure.message, { path: failure.path.join('.') });
}

/** true when `value` passes `check` (events the SDK does not understand are ignored, not guessed at). */
export function passes(check: Checked, value: unknown): boolean {
  return first(check, value, '', []) === null;
}

/** `value` with the defaults of `check` filled in where it leaves them out (copies only what changes). */
function withDefaults(check: Checked, value: unknown): unknown {
  if (value === undefined) return check.def;
  if (check.t === 'object' && check.keys && typeOf(value) === 'object') {
    let out = value as Record<string, unknown>;
    for (const [key, inner] of Object.entries(check.keys)) {
      const before = Object.hasOwn(out, key) ? out[key] : undefined;
      const after = withDefaults(inner, before);
      if (after !== before) out = { ...out, [key]: after };
    }
    return out;
  }
  if (check.t === 'array' && check.of && Array.isArray(value)) {
    const of = check.of;
    const items = value.map((item: unknown) => withDefaults(of, item));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  return value;
}

/**
 * The parsed value of `value` (as JSON.parse made it) under an exact check
 * (a MethodEntry with `exact`): what the schema would give back, defaults filled in; undefined
 * when it does not pass, in which case the schema decides (and words the
 * error). Never use it with a check that is not exact: it would let through
 * what the schema refuses.
 */
export function parseExact(check: Checked, value: unknown): { value: unknown } | undefined {
  return first(check, value, '', []) === null ? { value: withDefaults(check, value) } : undefined;
}
