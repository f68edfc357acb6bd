/** A shared scanner keeps its uuid across restarts; scanners shared together each get their own. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scannerUuid } from './scanner-uuids.js';

it('makes a uuid per device once and answers the same one afterwards, also when asked for several at once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-uuids-'));
  try {
    const file = path.join(dir, 'escl-uuids.json');
    const [a, b, c] = await Promise.all(['sane:test:0', 'demo:scanner', 'sane:test:1'].map((id) => scannerUuid(file, id)));
    assert.equal(new Set([a, b, c]).size, 3);
    for (const u of [a, b, c]) assert.match(u!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(await scannerUuid(file, 'demo:scanner'), b);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { 'sane:test:0': a, 'demo:scanner': b, 'sane:test:1': c });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
