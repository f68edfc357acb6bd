import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryCache } from './memory-cache.js';
import { image } from './test-helpers.js';

test('keeps usedBytes within the budget and evicts the least recently used', () => {
  const cache = new MemoryCache(3000);
  cache.set('s/a.1', image('a', 1000));
  cache.set('s/b.1', image('b', 1000));
  cache.set('s/c.1', image('c', 1000));
  assert.equal(cache.usedBytes, 3000);
  assert.ok(cache.get('s/a.1')); // a is now the most recent
  cache.set('s/d.1', image('d', 1000));
  assert.equal(cache.usedBytes, 3000);
  assert.equal(cache.has('s/b.1'), false);
  assert.ok(cache.has('s/a.1') && cache.has('s/c.1') && cache.has('s/d.1'));
});

test('an entry larger than the budget is not kept', () => {
  const cache = new MemoryCache(500);
  cache.set('s/a.1', image('a', 100));
  cache.set('s/big.1', image('big', 501));
  assert.equal(cache.has('s/big.1'), false);
  assert.equal(cache.has('s/a.1'), true);
  assert.equal(cache.usedBytes, 100);
});

test('set replaces an entry, delete and deletePrefix release bytes', () => {
  const cache = new MemoryCache(10_000);
  cache.set('s1/a.1', image('a', 1000));
  cache.set('s1/a.1', image('a', 400));
  assert.equal(cache.usedBytes, 400);
  cache.set('s1/b.1', image('b', 100));
  cache.set('s2/a.1', image('c', 200));
  assert.equal(cache.delete('s1/b.1'), true);
  assert.equal(cache.delete('s1/b.1'), false);
  assert.equal(cache.deletePrefix('s1/'), 1);
  assert.equal(cache.usedBytes, 200);
  assert.equal(cache.size, 1);
  assert.equal(cache.budgetBytes, 10_000);
});

test('a zero budget caches nothing', () => {
  const cache = new MemoryCache(0);
  cache.set('s/a.1', image('a', 1));
  assert.equal(cache.size, 0);
  assert.throws(() => new MemoryCache(-1), RangeError);
});

test('a view into a larger allocation is copied, so the budget counts what is held', () => {
  const cache = new MemoryCache(10_000);
  const big = Buffer.alloc(1_000_000);
  cache.set('s/a.1', { ...image('a', 10), bytes: big.subarray(0, 100) });
  const held = cache.get('s/a.1')!.bytes;
  assert.equal(held.length, 100);
  assert.equal(held.buffer.byteLength, 100);
});
