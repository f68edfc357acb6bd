import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScanbridgeError } from '@scanbridge/protocol';
import { sharedDocumentPool } from '../imaging/document-pool.js';
import { closeSharedPools, ThreadPool } from './thread-pool.js';

// A thread that answers each task with its number doubled, or fails on 'bad', or exits on 'die'.
const ECHO = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', (t) => {
      if (t.n === 'die') process.exit(3);
      parentPort.postMessage({ child: 1, running: false });
      parentPort.postMessage(t.n === 'bad' ? { id: t.id, ok: false, message: 'bad input' } : { id: t.id, ok: true, result: t.n * 2 });
    });
  `)}`,
);

function echoPool(notes: unknown[] = []) {
  return new ThreadPool<{ n: number | string }, number>({
    url: ECHO,
    size: 2,
    label: 'The echo',
    failed: (r) => new ScanbridgeError('internal-error', `echo failed: ${r.message}`),
    died: (why) => new ScanbridgeError('internal-error', `echo died: ${why}`),
    onMessage: (_thread, m) => (typeof m === 'object' && m !== null && 'child' in m ? (notes.push(m), true) : false),
  });
}

describe('thread pool', () => {
  it('runs tasks on its threads, hands other messages to onMessage, and maps failures and deaths to its errors', async () => {
    const notes: unknown[] = [];
    const pool = echoPool(notes);
    assert.deepEqual(await Promise.all([1, 2, 3].map((n) => pool.run({ n }))), [2, 4, 6]);
    assert.equal(notes.length, 3);
    await assert.rejects(pool.run({ n: 'bad' }), /echo failed: bad input/);
    await assert.rejects(pool.run({ n: 'die' }), /echo died: exit code 3/);
    assert.equal(await pool.run({ n: 5 }), 10, 'a dead thread is replaced');
    await pool.close();
  });

  it('a closed pool refuses work with service-stopping', async () => {
    const pool = echoPool();
    assert.equal(await pool.run({ n: 1 }), 2);
    await pool.close();
    await assert.rejects(pool.run({ n: 1 }), (err: ScanbridgeError) => err.code === 'service-stopping' && /The echo is closed/.test(err.message));
  });

  it('closeSharedPools ends the shared pools, not others; the next use makes a shared pool again', async () => {
    const own = echoPool();
    const shared = sharedDocumentPool();
    assert.equal(sharedDocumentPool(), shared);
    await closeSharedPools();
    assert.equal(own.closed, false);
    assert.equal(await own.run({ n: 2 }), 4);
    await own.close();
    assert.equal(shared.closed, true);
    assert.notEqual(sharedDocumentPool(), shared, 'the next service in this process gets a new pool');
    assert.equal(sharedDocumentPool().closed, false);
  });
});
