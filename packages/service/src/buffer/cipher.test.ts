import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CipherError, SEAL_OVERHEAD, loadOrCreateCacheKey, open, openFileInto, openInto, seal } from './cipher.js';
import { loadNativeGcm } from './native-gcm.js';

const native = await loadNativeGcm();
import { tempDir } from './test-helpers.js';

const key = randomBytes(32);

test('seal and open round-trip; the file starts with SBC1 and hides the plaintext', () => {
  const plain = Buffer.from('a scanned contract '.repeat(50));
  const file = seal(key, plain, 'page-1');
  assert.equal(file.subarray(0, 4).toString('latin1'), 'SBC1');
  assert.equal(file.length, plain.length + SEAL_OVERHEAD);
  assert.equal(file.includes(Buffer.from('scanned contract')), false);
  assert.deepEqual(open(key, file, 'page-1'), plain);
});

test('two seals of the same bytes differ (random nonce)', () => {
  const plain = Buffer.from('same');
  assert.notDeepEqual(seal(key, plain, 'a'), seal(key, plain, 'a'));
});

test('open rejects another AAD, another key, a flipped bit and a foreign file', () => {
  const file = seal(key, Buffer.from('hello world'), 'page-1');
  assert.throws(() => open(key, file, 'page-2'), CipherError);
  assert.throws(() => open(randomBytes(32), file, 'page-1'), CipherError);
  const flipped = Buffer.from(file);
  flipped[flipped.length - 1]! ^= 1;
  assert.throws(() => open(key, flipped, 'page-1'), CipherError);
  assert.throws(() => open(key, Buffer.from('PNG not ours at all, long enough to pass'), 'page-1'), CipherError);
  assert.throws(() => open(key, Buffer.alloc(3), 'page-1'), CipherError);
});

test('loadOrCreateCacheKey creates a 32-byte key with mode 0600 and loads it again', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'cert', 'cache.key');
  const created = await loadOrCreateCacheKey(file);
  assert.equal(created.length, 32);
  if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.deepEqual(await loadOrCreateCacheKey(file), created);
  assert.deepEqual(await readFile(file), created);
});

test('loadOrCreateCacheKey refuses a key of the wrong size instead of replacing it', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'cache.key');
  await writeFile(file, Buffer.alloc(10));
  await assert.rejects(loadOrCreateCacheKey(file), /10 bytes/);
  assert.equal((await readFile(file)).length, 10);
});

test('openInto decrypts in pieces into the given room, and refuses an altered file or another page', () => {
  // More than one piece, not a multiple of it.
  const plain = randomBytes(200_000 + 17);
  const file = seal(key, plain, 'page-2');
  const room = new Uint8Array(300_000).fill(7);
  assert.equal(openInto(key, file, 'page-2', room), plain.length);
  assert.ok(Buffer.from(room.buffer, 0, plain.length).equals(plain));
  assert.throws(() => openInto(key, file, 'page-3', room), CipherError);
  const altered = Buffer.from(file);
  altered[altered.length - 1]! ^= 1;
  assert.throws(() => openInto(key, altered, 'page-2', room), CipherError);
  assert.throws(() => openInto(key, file.subarray(0, 10), 'page-2', room), CipherError);
  assert.throws(() => openInto(key, file, 'page-2', new Uint8Array(1000)), RangeError);
});

test('libcrypto is loaded for in-place decryption on this machine (the page reader uses it; node:crypto is the fallback)', () => {
  assert.ok(native, 'libcrypto.so.3 (Debian package libssl3) could not be loaded through koffi');
});

for (const [how, gcm] of [
  ['through libcrypto, in place', native],
  ['through node:crypto', null],
] as const) {
  test(`openFileInto ${how}: reads and decrypts a file piece by piece into the given room, and refuses an altered, short or foreign file`, async (t) => {
    const dir = await tempDir(t);
    const opened = async (bytes: Buffer, aad: string, room: Uint8Array) => {
      const file = join(dir, 'page.sbc');
      await writeFile(file, bytes);
      const fd = openSync(file, 'r');
      try {
        return openFileInto(key, fd, aad, room, gcm);
      } finally {
        closeSync(fd);
      }
    };
    // Several pieces, not a multiple of one.
    const plain = randomBytes(3 * 128 * 1024 + 17);
    const sealed = seal(key, plain, 'page-2');
    const room = new Uint8Array(plain.length + 100).fill(7);
    assert.equal(await opened(sealed, 'page-2', room), plain.length);
    assert.ok(Buffer.from(room.buffer, 0, plain.length).equals(plain));
    await assert.rejects(opened(sealed, 'page-3', room), CipherError);
    // The nonce, the tag, the ciphertext's first, a middle and its last byte.
    for (const at of [5, 20, 32, 200_000, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[at]! ^= 1;
      await assert.rejects(opened(altered, 'page-2', room), CipherError, `byte ${at} altered`);
    }
    await assert.rejects(opened(sealed.subarray(0, sealed.length - 5), 'page-2', room), CipherError, 'cut short');
    await assert.rejects(opened(sealed.subarray(0, 10), 'page-2', room), CipherError, 'shorter than the header');
    await assert.rejects(opened(Buffer.from('PNG not ours at all, long enough to pass'), 'page-2', room), CipherError);
    await assert.rejects(opened(sealed, 'page-2', new Uint8Array(1000)), RangeError);
    await assert.rejects(opened(sealed, 'page-2', new Uint8Array(plain.length - 1)), RangeError, 'one byte short');
    const exact = new Uint8Array(plain.length);
    assert.equal(await opened(sealed, 'page-2', exact), plain.length, 'a room of exactly the size');
    assert.ok(Buffer.from(exact.buffer).equals(plain));
    assert.equal(await opened(seal(key, Buffer.alloc(0), 'empty'), 'empty', room), 0);
  });
}
