/**
 * The SDK's method and event tables (@scanbridge/protocol's src/method-table.ts)
 * are generated from the zod schemas, the protocol's single definition: the
 * committed file must be what the generator makes of the compiled schemas, so
 * a method added to the protocol (or a changed range) reaches the SDK.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { EVENTS, METHODS, METHOD_NAMES, METHOD_TABLE } from '@scanbridge/protocol';

const protocol = new URL('../../protocol/', import.meta.url);

it('src/method-table.ts is what the generator makes of METHODS and EVENTS (run `npm run build` to regenerate it)', async () => {
  const { render } = (await import(new URL('scripts/gen-method-table.mjs', protocol).href)) as { render: (methods: unknown, events: unknown) => string };
  const committed = await readFile(new URL('src/method-table.ts', protocol), 'utf8');
  assert.equal(committed, render(METHODS, EVENTS));
});

it('the table names every method, with its session and safe flags', () => {
  assert.deepEqual(Object.keys(METHOD_TABLE), METHOD_NAMES);
  for (const name of METHOD_NAMES) assert.deepEqual([METHOD_TABLE[name].session, METHOD_TABLE[name].safe], [METHODS[name].session, METHODS[name].safe], name);
});
