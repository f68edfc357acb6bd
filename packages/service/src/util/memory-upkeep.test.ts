/** Memory upkeep runs after work: at most every `everyMs` while work goes on, once `quietMs` after it, never while idle. */
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage, MemoryUpkeep } from './memory-upkeep.js';

describe('memory upkeep', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  const counting = () => {
    const runs: number[] = [];
    const upkeep = new MemoryUpkeep(async () => void runs.push(Date.now()), { everyMs: 10_000, quietMs: 2_000 });
    return { runs, upkeep };
  };

  it('does nothing while nothing happens', () => {
    const { runs } = counting();
    mock.timers.tick(60_000);
    assert.deepEqual(runs, []);
  });

  it('runs once, quietMs after the last of a burst', () => {
    const { runs, upkeep } = counting();
    for (let i = 0; i < 10; i++) {
      upkeep.touch();
      mock.timers.tick(100);
    }
    assert.deepEqual(runs, [], 'not while the burst goes on');
    mock.timers.tick(1_900);
    assert.deepEqual(runs, [2_900]);
    mock.timers.tick(60_000);
    assert.equal(runs.length, 1, 'and not again until there is more work');
  });

  it('runs every everyMs while work never pauses', async () => {
    const { runs, upkeep } = counting();
    for (let t = 0; t < 35_000; t += 50) {
      upkeep.touch();
      mock.timers.tick(50);
      await Promise.resolve(); // lets a finished run settle
    }
    assert.deepEqual(runs, [10_000, 20_050, 30_100]);
  });
});

it('collectGarbage runs a major GC without exposing gc to the service', async () => {
  await collectGarbage();
  assert.equal((globalThis as { gc?: unknown }).gc, undefined);
});
