/**
 * The service's own schemas are written with zod/mini (util/zod-stack.ts), the
 * protocol's with full zod: the same rules must give the same issues, with
 * the same English messages, whichever form wrote them. (Full zod sets its
 * English messages for every copy of zod in the process when it builds its
 * first schema, so the service's messages are checked before this file
 * builds any with it, as in a service or SANE worker that has not loaded
 * full zod.)
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { z as full } from 'zod';
import { z } from './zod-stack.js';
import { JournalOp } from '../buffer/buffer-state.js';
import { FromWorker } from '../supervisor/worker-messages.js';

const issues = (result: { success: boolean; error?: { issues: unknown[] } }) => (result.success ? [] : result.error!.issues);

it("reads the service's journal and worker messages as before, in English", () => {
  const bad = issues(JournalOp.safeParse({ op: 'move', id: 'p/1', to: -1 })) as { message: string; path: unknown[] }[];
  assert.deepEqual(
    bad.map((i) => [i.path.join('.'), i.message]),
    [
      ['id', 'Invalid string: must match pattern /^[A-Za-z0-9_-]{1,64}$/'],
      ['to', 'Too small: expected number to be >=0'],
    ],
  );
  assert.equal(FromWorker.safeParse({ type: 'event', id: 1, seq: 2, event: {} }).success, true);
  assert.equal(FromWorker.safeParse({ type: 'event', id: 1, extra: true, event: {} }).success, false, 'strict objects stay strict');
});

it('gives the issues and messages of full zod for the same rules', () => {
  const pairs: [{ safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }, { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }, unknown[]][] = [
    [z.iso.datetime(), full.iso.datetime(), ['x', '2026-12-06T23:00:00Z']],
    [z.number().check(z.int(), z.positive()), full.number().int().positive(), [-1.5, 0, 'a', 3]],
    [z.string().check(z.minLength(1)), full.string().min(1), ['', 1, 'a']],
    [z.number().check(z.gte(0), z.lte(1)), full.number().min(0).max(1), [-0.1, 1.5, 0.5]],
    [z.strictObject({ a: z.optional(z.nullable(z.string())) }), full.strictObject({ a: full.string().nullable().optional() }), [{ a: 1 }, { b: 1 }, {}, { a: null }]],
    [z._default(z.boolean(), false), full.boolean().default(false), [undefined, 'yes']],
  ];
  for (const [mini, classic, values] of pairs) {
    for (const value of values) assert.deepEqual(issues(mini.safeParse(value)), issues(classic.safeParse(value)), `for ${JSON.stringify(value)}`);
  }
});
