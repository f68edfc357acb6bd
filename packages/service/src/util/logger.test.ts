/** Logs are JSON lines in log/, rotated by size, and never hold secrets. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeLogger, createLogger } from './logger.js';

/** Ending the transport waits until its thread has written everything. */
const flushed = closeLogger;

it('rotates by size and keeps a bounded number of files', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-log-'));
  try {
    const log = createLogger({ logDir: dir, level: 'info', maxSizeMB: 1, maxFiles: 3 });
    const filler = 'x'.repeat(1000);
    // Bursts with pauses, as a service logs: pino-roll rolls over when the stream drains.
    for (let i = 0; i < 6000; i++) {
      log.info({ i, filler }, 'line');
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
    }
    await flushed(log);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
    assert.ok(files.length === 3, `files: ${files.join(', ')}`);
    for (const f of files) assert.ok((await stat(path.join(dir, f))).size < 1.2 * 1048576, f);
    const last = (await readFile(path.join(dir, files.at(-1)!), 'utf8')).trim().split('\n').at(-1)!;
    assert.equal(JSON.parse(last).i, 5999);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('redacts tokens and credentials', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-log-'));
  try {
    const log = createLogger({ logDir: dir, level: 'info', maxSizeMB: 1, maxFiles: 2 });
    log.info({ token: 'sekrit-1', headers: { authorization: 'Bearer sekrit-2', 'x-scanbridge-token': 'sekrit-3', cookie: 'a=sekrit-4' }, req: { headers: { authorization: 'sekrit-5' } } }, 'request');
    await flushed(log);
    const text = (await Promise.all((await readdir(dir)).map((f) => readFile(path.join(dir, f), 'utf8')))).join('');
    assert.match(text, /"msg":"request"/);
    assert.doesNotMatch(text, /sekrit/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
