#!/usr/bin/env node
// Writes src/method-table.ts: what the browser SDK needs of METHODS and EVENTS
// at run time (method names, session/safe, and light checks of params and
// events) as plain data, so that the SDK bundle carries no schema library.
// Derived from the zod schemas, the protocol's single definition: `npm run
// build` runs this first (from the TypeScript sources, through esbuild), and
// method-table.test.ts checks the committed file against the compiled
// schemas. A check derived here is only ever weaker than its schema.
import { writeFile, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** How deep into params the SDK checks (params.settings.dpi is depth 2). */
const PARAMS_DEPTH = 2;
/** Events: the kind and the ids the SDK routes by. */
const EVENTS_DEPTH = 2;

function numberCheck(def) {
  const out = { t: 'number' };
  if (def.format === 'safeint' || def.format === 'int32' || def.format === 'uint32') out.int = true;
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32' || c.format === 'uint32')) out.int = true;
    else if (c.check === 'greater_than') out[c.inclusive ? 'min' : 'gt'] = Number(c.value);
    else if (c.check === 'less_than') out[c.inclusive ? 'max' : 'lt'] = Number(c.value);
  }
  return out;
}

function lengths(out, def) {
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length') out.min = c.minimum;
    else if (c.check === 'max_length') out.max = c.maximum;
    else if (c.check === 'length_equals') Object.assign(out, { min: c.length, max: c.length });
  }
  return out;
}

const isPlain = (value) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** The check of a zod schema, `depth` levels deep (deeper values are not checked). */
export function checkOf(schema, depth) {
  const def = schema._zod.def;
  switch (def.type) {
    case 'default':
      // A plain default travels with the check, so that a value that passes it can be completed as the schema would (withDefaults).
      return { ...checkOf(def.innerType, depth), opt: true, ...(isPlain(def.defaultValue) ? { def: def.defaultValue } : {}) };
    case 'optional':
    case 'prefault':
      return { ...checkOf(def.innerType, depth), opt: true };
    case 'nullable':
      return { ...checkOf(def.innerType, depth), null: true };
    case 'readonly':
      return checkOf(def.innerType, depth);
    case 'pipe':
      return checkOf(def.in, depth);
    case 'string':
      // Lengths are not checked: a string's length matters to the service (limits), not to a page's mistakes.
      return { t: 'string' };
    case 'boolean':
      return { t: 'boolean' };
    case 'number':
      return numberCheck(def);
    case 'enum':
      return { t: 'values', values: Object.values(def.entries) };
    case 'literal':
      return { t: 'values', values: [...def.values] };
    case 'array':
      return depth <= 0 ? { t: 'array' } : lengths({ t: 'array', of: checkOf(def.element, depth - 1) }, def);
    case 'tuple':
    case 'record':
      return { t: def.type === 'tuple' ? 'array' : 'object' };
    case 'object': {
      if (depth <= 0) return { t: 'object' };
      const keys = Object.fromEntries(Object.entries(def.shape).map(([key, inner]) => [key, checkOf(inner, depth - 1)]));
      const strict = def.catchall?._zod.def.type === 'never';
      return strict ? { t: 'object', keys, strict: true } : { t: 'object', keys };
    }
    default:
      // unions, refinements, lazy and custom schemas: the service checks them.
      return { t: 'any' };
  }
}

/**
 * Whether the check of `schema` at `depth` decides exactly as the schema does
 * and the schema gives back what it was given: then a value that passes the
 * check is the parsed value, and the service may take it without building the
 * schema (its hot methods answer before zod is loaded). Anything that
 * transforms (defaults, pipes, non-strict objects that strip keys) or that the
 * check leaves out (string lengths and formats, refinements, unions, depth) is
 * not exact, and the service parses with the schema.
 */
export function isExact(schema, depth) {
  const def = schema._zod.def;
  const checks = (allowed) => (def.checks ?? []).every((check) => allowed(check._zod.def));
  switch (def.type) {
    case 'unknown':
    case 'any':
      return true;
    case 'optional':
    case 'nullable':
      return isExact(def.innerType, depth);
    case 'default':
      return isPlain(def.defaultValue) && isExact(def.innerType, depth);
    case 'string':
      return !def.format && checks(() => false);
    case 'boolean':
    case 'enum':
    case 'literal':
      return checks(() => false);
    case 'number':
      return (
        (!def.format || def.format === 'safeint') &&
        checks((c) => (c.check === 'number_format' && c.format === 'safeint') || c.check === 'greater_than' || c.check === 'less_than')
      );
    case 'array':
      return depth > 0 && isExact(def.element, depth - 1) && checks((c) => ['min_length', 'max_length', 'length_equals'].includes(c.check));
    case 'object':
      return depth > 0 && def.catchall?._zod.def.type === 'never' && checks(() => false) && Object.values(def.shape).every((inner) => isExact(inner, depth - 1));
    default:
      return false;
  }
}

/** A check with the `any`s that say nothing left out, so that the table stays small. */
function prune(check) {
  if (check.t === 'array' && check.of) {
    const of = prune(check.of);
    return of.t === 'any' && !of.opt ? { ...check, of: undefined } : { ...check, of };
  }
  if (check.t === 'object' && check.keys) return { ...check, keys: Object.fromEntries(Object.entries(check.keys).map(([k, v]) => [k, prune(v)])) };
  return check;
}

export function render(methods, events) {
  const flags = (spec) => ({ ...(spec.takesFile ? { takesFile: true } : {}), ...(spec.binaryBody ? { binaryBody: true } : {}), ...(isExact(spec.params, PARAMS_DEPTH) ? { exact: true } : {}) });
  const table = Object.fromEntries(Object.entries(methods).map(([name, spec]) => [name, { session: spec.session, safe: spec.safe, ...flags(spec), params: prune(checkOf(spec.params, PARAMS_DEPTH)) }]));
  const eventTable = Object.fromEntries(Object.entries(events).map(([name, schema]) => [name, prune(checkOf(schema, EVENTS_DEPTH))]));
  const eventUnions = Object.fromEntries(
    Object.entries(events)
      .filter(([, schema]) => schema._zod.def.type === 'union')
      .map(([name, schema]) => [name, { key: schema._zod.def.discriminator, kinds: Object.fromEntries(schema._zod.def.options.map((o) => [o._zod.def.shape[schema._zod.def.discriminator]._zod.def.values[0], prune(checkOf(o, EVENTS_DEPTH))])) }]),
  );
  for (const [name, union] of Object.entries(eventUnions)) eventTable[name] = { t: 'union', ...union };
  const json = (value) => JSON.stringify(value);
  return `// Generated by packages/protocol/scripts/gen-method-table.mjs from METHODS and EVENTS
// (the zod schemas); do not edit. \`npm run build\` regenerates it, and
// method-table.test.ts checks that it is current. Zod-free, for the browser SDK
// and for the service's hot path (server/rpc.ts).
import type { MethodName } from './methods.js';
import type { EventName } from './events.js';
import type { Checked } from './light-check.js';

export interface MethodEntry {
  /** Acts on a session's buffer (served under /f/, with the session id). */
  readonly session: boolean;
  /** Changes nothing (may be called with GET). */
  readonly safe: boolean;
  /** Takes a file (raw, or base64 in JSON): its body may be up to MaxBodyMB. */
  readonly takesFile?: true;
  /** Over HTTP the body may be the raw file, with the envelope in the query. */
  readonly binaryBody?: true;
  /**
   * The light check decides exactly as the params schema does, and parsing
   * changes nothing: params that pass it are the parsed params (the service
   * then needs no schema). Params that fail it are parsed by the schema all
   * the same, for its error.
   */
  readonly exact?: true;
  /** The light check of the params. */
  readonly params: Checked;
}

export const METHOD_TABLE: { readonly [M in MethodName]: MethodEntry } = {
${Object.entries(table).map(([name, entry]) => `  ${name}: ${json(entry)},`).join('\n')}
};

export const EVENT_TABLE: { readonly [E in EventName]: Checked } = {
${Object.entries(eventTable).map(([name, entry]) => `  ${name}: ${json(entry)},`).join('\n')}
};
`;
}

async function fromSources() {
  const { build } = await import('esbuild');
  const dir = fileURLToPath(new URL('../src/', import.meta.url));
  const result = await build({
    stdin: { contents: "export { METHODS } from './methods.ts'; export { EVENTS } from './events.ts';", resolveDir: dir, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].contents).toString('base64')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { METHODS, EVENTS } = await fromSources();
  const out = new URL('../src/method-table.ts', import.meta.url);
  const text = render(METHODS, EVENTS);
  const old = await readFile(out, 'utf8').catch(() => '');
  if (old !== text) {
    await writeFile(out, text);
    console.log('@scanbridge/protocol: src/method-table.ts regenerated');
  }
}
