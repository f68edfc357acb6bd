/**
 * mapOrdered reads ahead while its consumer works: the read of the next item
 * is never on the consumer's path (a page from the disk cache used to be read
 * between the sends of two pages, so reading and sending took turns).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapOrdered } from './ordered.js';

/** Items 0..count-1; item `gated` is given only once `open()` is called. */
function gatedSource(count: number, gated: number) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const asked: number[] = [];
  let ended = false;
  async function* items(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i++) {
        asked.push(i);
        if (i === gated) await gate;
        yield i;
      }
    } finally {
      ended = true;
    }
  }
  return { items: items(), open, asked, ended: () => ended };
}

/** Settles once every promise job queued now (and those they queue) has run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapOrdered', () => {
  it('yields a result without waiting for the item read after it', async () => {
    const source = gatedSource(6, 3);
    const out = mapOrdered(source.items, 3, async (n) => n * 10);
    const first = out.next();
    const state = await Promise.race([first.then(() => 'yielded'), turn().then(() => 'waiting')]);
    assert.equal(state, 'yielded', 'result 0 waited for item 3 to be read');
    await turn();
    assert.ok(source.asked.includes(3), 'item 3 is being read while result 0 is used');
    source.open();
    const rest: number[] = [(await first).value as number];
    for await (const r of out) rest.push(r);
    assert.deepEqual(rest, [0, 10, 20, 30, 40, 50]);
  });

  it('holds at most `limit` items besides the one its consumer has', async () => {
    let read = 0;
    let used = 0;
    let mostAhead = 0;
    async function* items(): AsyncGenerator<number> {
      for (let i = 0; i < 50; i++) {
        read++;
        yield i;
      }
    }
    for await (const r of mapOrdered(items(), 3, async (n) => n)) {
      await turn();
      mostAhead = Math.max(mostAhead, read - used);
      assert.equal(r, used);
      used++;
    }
    assert.equal(used, 50);
    assert.ok(mostAhead <= 4, `read ${mostAhead} items ahead of the consumer`);
  });

  it("a source's failure comes at its place, after the results before it", async () => {
    async function* items(): AsyncGenerator<number> {
      yield 0;
      yield 1;
      throw new Error('page 2 is gone');
    }
    const got: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of mapOrdered(items(), 3, async (n) => n)) got.push(r);
      })(),
      /page 2 is gone/,
    );
    assert.deepEqual(got, [0, 1]);
  });

  it("a consumer that stops early ends the source and maps no item after it stopped", async () => {
    const source = gatedSource(10, 4);
    const mapped: number[] = [];
    const out = mapOrdered(source.items, 3, async (n) => (mapped.push(n), n));
    assert.equal((await out.next()).value, 0);
    await turn();
    const returned = out.return(undefined);
    source.open();
    await returned;
    await turn();
    assert.ok(source.ended(), 'the source was ended');
    assert.ok(mapped.every((n) => n <= 3), `mapped ${mapped.join(',')} after the consumer stopped at 0`);
  });
});
