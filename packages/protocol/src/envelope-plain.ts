/**
 * The request envelope without zod, for the service's hot path: most calls
 * carry a plain envelope, and reading it needs no schema (the service loads
 * the zod schemas only for what this leaves undecided). It accepts only what
 * RequestEnvelope (envelope.ts) accepts and gives back what it parses to;
 * anything else is left to the schema, which words the error.
 * envelope-plain.test.ts holds the two together.
 */

/** The id used in answers to calls made without a session, as the seed does. */
export const NO_SESSION_ID = '1';

/** A request envelope as RequestEnvelope parses it. */
export interface ParsedEnvelope {
  id?: string;
  method?: string;
  params: Record<string, unknown>;
  cmdId: string;
}

const LIMITS: Readonly<Record<string, number>> = { id: 128, method: 64, cmdId: 128 };

const isString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;

/** The parsed envelope when `raw` plainly is one; undefined when the schema must decide. */
export function plainEnvelope(raw: unknown): ParsedEnvelope | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === 'params') continue;
    const max = Object.hasOwn(LIMITS, key) ? LIMITS[key] : undefined;
    if (max === undefined || !isString(record[key], max)) return undefined;
  }
  const params = Object.hasOwn(record, 'params') ? record.params : {};
  if (params === null || typeof params !== 'object' || Array.isArray(params) || Object.getPrototypeOf(params) !== Object.prototype) return undefined;
  // The schema leaves out a `__proto__` key (JSON.parse makes it an own key); so does nothing here.
  if (Object.hasOwn(params, '__proto__')) return undefined;
  const out: ParsedEnvelope = { params: params as Record<string, unknown>, cmdId: typeof record.cmdId === 'string' ? record.cmdId : '' };
  if (typeof record.id === 'string') out.id = record.id;
  if (typeof record.method === 'string') out.method = record.method;
  return out;
}
