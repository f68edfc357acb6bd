/**
 * Page data read on the SANE worker's read thread: one call fills a target
 * across many of the backend's reads (SANE's `test` backend hands over at
 * most 64 KB per sane_read), with the same bytes as reads one at a time, and
 * a cancel still ends a fill that blocks in the driver. Real libsane, loaded
 * in this process as a SANE worker loads it.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createTestBackend, type TestBackend } from './test-backend.js';
import { loadSane, type SaneLibrary } from './sane-library.js';
import { SaneHandle } from './sane-handle.js';
import { sharedBuffer } from './read-thread.js';
import { STATUS } from './sane-status.js';
import type { Assignment } from './sane-model.js';

const set = (name: string, value: string | number | boolean): Assignment => ({ name, value, setting: name, required: true });
/** 100 x 100 mm at 150 dpi in grey: 590 x 590, 348,100 bytes, six of the backend's blocks. */
const PAGE = [set('mode', 'Gray'), set('resolution', 150), set('tl-x', 0), set('tl-y', 0), set('br-x', 100), set('br-y', 100), set('test-picture', 'Color pattern')];
/**
 * The backend's reader sleeps this long before each block: far longer than
 * the test waits before its cancel, short enough for sane_close, which waits
 * for that reader to end, at the end.
 */
const HANG_US = 3_000_000;

describe('SANE read thread', () => {
  let backend: TestBackend;
  let sane: SaneLibrary;
  let device: SaneHandle;
  const saved = process.env.SANE_CONFIG_DIR;

  before(async () => {
    backend = await createTestBackend(1, { 'read-delay-duration': String(HANG_US) });
    // sane_init reads the configuration folder from the environment.
    process.env.SANE_CONFIG_DIR = backend.dir;
    sane = await loadSane('');
    await sane.prepareReads();
    device = await SaneHandle.open(sane, 'test:0', 'sane:test:0');
  });
  after(async () => {
    device?.close();
    sane?.exit();
    if (saved === undefined) delete process.env.SANE_CONFIG_DIR;
    else process.env.SANE_CONFIG_DIR = saved;
    await backend.remove();
  });

  /** One page: the frame but its last byte, then (after the pause acquire.ts makes) the last byte, then EOF. */
  async function page(read: (into: Buffer) => Promise<{ status: number; length: number }>): Promise<{ data: Buffer; calls: number }> {
    assert.equal(await device.start(), STATUS.GOOD);
    const { bytesPerLine, lines } = device.parameters();
    const data = sharedBuffer(bytesPerLine * lines);
    let filled = 0;
    let calls = 0;
    for (;;) {
      if (filled === data.length - 1) await delay(5);
      const target = filled < data.length - 1 ? data.subarray(filled, data.length - 1) : data.subarray(filled);
      const { status, length } = await read(target.length > 0 ? target : Buffer.alloc(1));
      calls++;
      filled += length;
      if (status === STATUS.EOF) break;
      assert.equal(status, STATUS.GOOD);
    }
    device.cancel();
    assert.equal(filled, data.length);
    return { data, calls };
  }

  it('fills a target across many of the backend reads, with the bytes read one at a time', async () => {
    device.apply([...PAGE, set('read-delay', false)]);
    // No time limit on a fill: it ends when the target is full.
    const threaded = await page((into) => device.fill(into, 60_000));
    // The frame but its last byte, the last byte, EOF.
    assert.equal(threaded.calls, 3);
    // Memory that is not shared is read one sane_read at a time (at most one 64 KB block of this backend).
    let largest = 0;
    const single = await page(async (into) => {
      const own = Buffer.alloc(into.length);
      const result = await device.fill(own);
      own.copy(into, 0, 0, result.length);
      largest = Math.max(largest, result.length);
      return result;
    });
    assert.ok(single.calls > 6 && largest <= 64 * 1024, `${single.calls} reads of at most ${largest} bytes`);
    assert.ok(threaded.data.equals(single.data), 'the same bytes');
  });

  it('a cancel ends a fill that blocks in the driver', async () => {
    device.apply([...PAGE, set('read-delay', true)]);
    assert.equal(await device.start(), STATUS.GOOD);
    const fill = device.fill(sharedBuffer(4096), 60_000);
    await delay(100);
    device.cancel();
    const { status, length } = await fill;
    // The test backend ends a cancelled read as the end of the data.
    assert.ok(status === STATUS.CANCELLED || status === STATUS.EOF, `status ${status}`);
    assert.equal(length, 0);
  });
});
