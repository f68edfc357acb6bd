/** The README and docs/errors.md say what the code does: regenerate them with scripts/gen-docs.mjs when this fails. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ERROR_CODES, METHOD_NAMES } from '@scanbridge/protocol';
import { settingsMarkdown } from '../config/load.js';
import { errorsMarkdown } from './errors-doc.js';

const root = new URL('../../../../', import.meta.url);

it('README holds the current settings table and names every method', async () => {
  const readme = await readFile(new URL('README.md', root), 'utf8');
  assert.ok(readme.includes(settingsMarkdown().trim()), 'README settings table is stale: run node scripts/gen-docs.mjs');
  for (const method of METHOD_NAMES) assert.ok(readme.includes(`\`${method}\``), `README does not name ${method}`);
  assert.match(readme, /^# scanbridge\n\nStart the service[^\n]*\n\n```sh\nscripts\/setup\.sh && npm start\n```/);
});

it('docs/errors.md documents every error code', async () => {
  const doc = await readFile(new URL('docs/errors.md', root), 'utf8');
  assert.equal(doc, errorsMarkdown());
  for (const code of ERROR_CODES) assert.ok(doc.includes(`\`${code}\``), code);
});

it('.ci/run runs exactly the README test command', async () => {
  const readme = await readFile(new URL('README.md', root), 'utf8');
  const ci = await readFile(new URL('.ci/run', root), 'utf8');
  const command = /Install everything the tests need and run them:\n\n```sh\n(.+)\n```/.exec(readme)?.[1];
  assert.equal(command, 'scripts/setup.sh --test && npm test');
  assert.ok(ci.split('\n').includes(command!), '.ci/run must run the README test command');
});
