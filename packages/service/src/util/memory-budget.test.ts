import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBudget } from './memory-budget.js';

/** A step that runs until released, recording when it starts. */
function step(budget: MemoryBudget, bytes: number, log: string[], name: string) {
  let finish!: () => void;
  const held = new Promise<void>((r) => (finish = r));
  const done = budget.run(bytes, async () => {
    log.push(name);
    await held;
  });
  return { finish, done };
}

const tick = () => new Promise((r) => setImmediate(r));

test('claims run together while they fit, and queue in arrival order when they do not', async () => {
  const budget = new MemoryBudget(100);
  const log: string[] = [];
  const a = step(budget, 60, log, 'a');
  const b = step(budget, 30, log, 'b');
  const c = step(budget, 50, log, 'c');
  // d fits beside a and b, but waits behind c: a small claim does not starve a large one.
  const d = step(budget, 10, log, 'd');
  await tick();
  assert.deepEqual(log, ['a', 'b']);
  assert.equal(budget.used, 90);
  assert.equal(budget.waiting, 2);
  a.finish();
  await a.done;
  await tick();
  assert.deepEqual(log, ['a', 'b', 'c', 'd']);
  assert.equal(budget.used, 90);
  b.finish();
  c.finish();
  d.finish();
  await Promise.all([b.done, c.done, d.done]);
  assert.equal(budget.used, 0);
});

test('a claim larger than the budget waits for the others, then runs alone', async () => {
  const budget = new MemoryBudget(100);
  const log: string[] = [];
  const small = step(budget, 20, log, 'small');
  const huge = step(budget, 1000, log, 'huge');
  const after = step(budget, 1, log, 'after');
  await tick();
  assert.deepEqual(log, ['small']);
  small.finish();
  await small.done;
  await tick();
  assert.deepEqual(log, ['small', 'huge']);
  assert.equal(budget.used, 100);
  huge.finish();
  await huge.done;
  await tick();
  assert.deepEqual(log, ['small', 'huge', 'after']);
  after.finish();
  await after.done;
});

test('a failing step gives its claim back', async () => {
  const budget = new MemoryBudget(100);
  await assert.rejects(budget.run(80, async () => Promise.reject(new Error('decode failed'))), /decode failed/);
  assert.equal(budget.used, 0);
  assert.equal(await budget.run(100, async () => 'ran'), 'ran');
});

test('a step inside another step is covered by its claim instead of waiting on it', async () => {
  const budget = new MemoryBudget(100);
  const result = await budget.run(100, async () => {
    const inner = await budget.run(80, async () => budget.used);
    return inner;
  });
  assert.equal(result, 100);
  assert.equal(budget.used, 0);
});
