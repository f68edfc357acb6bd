/** Logs are JSON lines in log/, rotated by size, and never hold secrets. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeLogger, createLogger } from './logger.js';

/** Lines are written synchronously; closing the logger closes its file. */
const flushed = closeLogger;

it('rotates by size and keeps a bounded number of files', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-log-'));
  try {
    const log = createLogger({ logDir: dir, level: 'info', maxSizeMB: 1, maxFiles: 3 });
    const filler = 'x'.repeat(1000);
    // Bursts of about 100 kB, as a service logs.
    for (let i = 0; i < 6000; i++) {
      log.info({ i, filler }, 'line');
      if (i % 100 === 99) await new Promise<void>((resolve, reject) => log.flush((err) => (err ? reject(err) : resolve())));
    }
    await flushed(log);
    // Files are numbered (scanbridge.7.log); order them by that number, not as text.
    const number = (f: string) => Number(/\.(\d+)\.log$/.exec(f)?.[1] ?? NaN);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort((a, b) => number(a) - number(b));
    assert.ok(files.length === 3, `files: ${files.join(', ')}`);
    for (const f of files) assert.ok((await stat(path.join(dir, f))).size < 1.2 * 1048576, f);
    // The newest file may have just been opened by a rollover and still be empty.
    const lines = (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8'))))
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const numbers = lines.map((l) => JSON.parse(l).i as number);
    assert.equal(numbers.at(-1), 5999);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'lines are kept in the order they were written');
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

it('a restart appends to the newest file, never overwrites an older one', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-log-'));
  try {
    for (const run of [1, 2]) {
      const log = createLogger({ logDir: dir, level: 'info', maxSizeMB: 1, maxFiles: 3 });
      log.info({ run }, 'started');
      await flushed(log);
    }
    const files = (await readdir(dir)).filter((f) => f.endsWith('.log'));
    assert.deepEqual(files, ['scanbridge.1.log']);
    const runs = (await readFile(path.join(dir, files[0]!), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).run as number);
    assert.deepEqual(runs, [1, 2]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
