/**
 * The service answers its hot calls without building the zod schemas: a
 * method whose table entry is `exact` takes params that pass the light check
 * as they are (defaults filled in), and a plain envelope is read without
 * RequestEnvelope. Both must accept nothing the schemas refuse and give back
 * what the schemas give back; anything else goes to the schemas, which word
 * the errors as before.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { METHODS, METHOD_NAMES, METHOD_TABLE, RequestEnvelope, parseExact, plainEnvelope, type Checked } from '@scanbridge/protocol';

const protocol = new URL('../../protocol/', import.meta.url);
const { isExact } = (await import(new URL('scripts/gen-method-table.mjs', protocol).href)) as { isExact: (schema: unknown, depth: number) => boolean };

/** Values (as JSON.parse makes them: the service checks nothing else) around what `check` describes: one that fits, and wrong ones of every kind it can tell. */
function samples(check: Checked, depth = 0): unknown[] {
  const out: unknown[] = [undefined, null, 'text', '', 1, -1, 0.5, true, [], {}];
  switch (check.t) {
    case 'values':
      out.push(...check.values);
      break;
    case 'number':
      for (const bound of [check.min, check.max, check.gt, check.lt]) if (bound !== undefined) out.push(bound, bound - 1, bound + 1, bound + 0.5);
      out.push(2 ** 53, 7);
      break;
    case 'array':
      if (check.max !== undefined) out.push(new Array(check.max + 1).fill(check.of ? fitting(check.of) : 0));
      if (check.of && depth < 2) for (const item of samples(check.of, depth + 1)) out.push([item], [fitting(check.of), item]);
      break;
    case 'object': {
      const base = fitting(check) as Record<string, unknown>;
      out.push(base, { ...base, extra: 1 }, { ...base, ...JSON.parse('{"__proto__": 1}') });
      if (depth < 2) for (const [key, inner] of Object.entries(check.keys ?? {})) for (const value of samples(inner, depth + 1)) out.push({ ...base, [key]: value });
      break;
    }
    default:
      break;
  }
  return out;
}

/** A value that passes `check`. */
function fitting(check: Checked): unknown {
  switch (check.t) {
    case 'values':
      return check.values[0];
    case 'string':
      return 's';
    case 'boolean':
      return false;
    case 'number':
      return check.min ?? (check.gt !== undefined ? check.gt + 1 : 1);
    case 'array':
      return new Array(check.min ?? 0).fill(check.of ? fitting(check.of) : 0);
    case 'object':
      return Object.fromEntries(Object.entries(check.keys ?? {}).flatMap(([key, inner]) => (inner.opt ? [] : [[key, fitting(inner)]])));
    default:
      return 0;
  }
}

describe('exact method entries', () => {
  it('the calls a page makes first are exact; those with unions, string limits or deep shapes are not', () => {
    for (const name of ['VersionInfo', 'ServiceInfo', 'ListMethods', 'CreateSession', 'ListDevices', 'GetImageCount'] as const) assert.equal(METHOD_TABLE[name].exact, true, name);
    for (const name of ['StartScan', 'GetJob', 'GetImagesInfo', 'SaveImages'] as const) assert.equal(METHOD_TABLE[name].exact, undefined, name);
  });

  it('params that pass an exact check are what the schema parses them to; params the schema refuses never pass', () => {
    let compared = 0;
    for (const name of METHOD_NAMES.filter((m) => METHOD_TABLE[m].exact)) {
      for (const params of samples(METHOD_TABLE[name].params)) {
        const fast = parseExact(METHOD_TABLE[name].params, params);
        const schema = METHODS[name].params.safeParse(params);
        if (fast) {
          assert.ok(schema.success, `${name}: ${JSON.stringify(params)} passes the exact check but not the schema`);
          assert.deepEqual(fast.value, schema.data, `${name}: ${JSON.stringify(params)}`);
        }
        compared += 1;
      }
    }
    assert.ok(compared > 50);
  });

  it('fills in a default the params leave out, and keeps one given', () => {
    assert.deepEqual(parseExact(METHOD_TABLE.ListDevices.params, {})?.value, { refresh: false });
    assert.deepEqual(parseExact(METHOD_TABLE.ListDevices.params, { refresh: true })?.value, { refresh: true });
    assert.equal(parseExact(METHOD_TABLE.ListDevices.params, { refresh: 'yes' }), undefined);
  });

  it('the generator calls exact only what the check decides in full and parsing leaves as it is', () => {
    const exact: Array<[string, z.ZodType]> = [
      ['strict object of plain keys', z.strictObject({ a: z.boolean().optional(), b: z.number().int().min(0).max(9), c: z.enum(['x', 'y']), d: z.string().nullable() })],
      ['plain default', z.strictObject({ a: z.boolean().default(false) })],
      ['array with lengths', z.strictObject({ a: z.array(z.string()).min(1).max(3) })],
      ['unknown value', z.strictObject({ a: z.unknown() })],
    ];
    const inexact: Array<[string, z.ZodType]> = [
      ['object that strips unknown keys', z.object({ a: z.boolean() })],
      ['string with a length', z.strictObject({ a: z.string().max(4) })],
      ['string with a format', z.strictObject({ a: z.email() })],
      ['union', z.strictObject({ a: z.union([z.string(), z.number()]) })],
      ['refinement', z.strictObject({ a: z.number().refine((n) => n % 2 === 0) })],
      ['transform', z.strictObject({ a: z.string().transform((s) => s.trim()) })],
      ['object default', z.strictObject({ a: z.strictObject({ b: z.boolean() }).default({ b: true }) })],
      ['multiple of', z.strictObject({ a: z.number().multipleOf(2) })],
      ['int32 (a range the check leaves out)', z.strictObject({ a: z.int32() })],
      ['deeper than the check goes', z.strictObject({ a: z.strictObject({ b: z.strictObject({ c: z.boolean() }) }) })],
    ];
    for (const [what, schema] of exact) assert.equal(isExact(schema, 2), true, what);
    for (const [what, schema] of inexact) assert.equal(isExact(schema, 2), false, what);
  });
});

describe('plain envelopes', () => {
  const CASES: unknown[] = [
    {},
    { params: {} },
    { id: 'abc', params: { refresh: true }, cmdId: '7' },
    { method: 'ListDevices' },
    { id: 'x'.repeat(128) },
    { id: 'x'.repeat(129) },
    { method: 'm'.repeat(64) },
    { method: 'm'.repeat(65) },
    { cmdId: 'c'.repeat(128) },
    { cmdId: 'c'.repeat(129) },
    { id: 5 },
    { cmdId: null },
    { method: ['ListDevices'] },
    { params: [] },
    { params: null },
    { params: 'x' },
    { params: { a: 1 }, other: 1 },
    JSON.parse('{"__proto__": {"x": 1}}'),
    JSON.parse('{"params": {"__proto__": 1}}'),
    [],
    null,
    'text',
  ];

  it('a plain envelope reads as RequestEnvelope parses it; what the schema refuses is never plain', () => {
    for (const raw of CASES) {
      const plain = plainEnvelope(raw);
      const schema = RequestEnvelope.safeParse(raw);
      if (plain) {
        assert.ok(schema.success, `${JSON.stringify(raw)} is plain but the schema refuses it`);
        assert.deepEqual(plain, schema.data, JSON.stringify(raw));
      }
    }
  });

  it('the envelopes pages send are plain', () => {
    assert.deepEqual(plainEnvelope({ id: 's1', params: { job: 'j' }, cmdId: '3' }), { id: 's1', params: { job: 'j' }, cmdId: '3' });
    assert.deepEqual(plainEnvelope({}), { params: {}, cmdId: '' });
  });
});
