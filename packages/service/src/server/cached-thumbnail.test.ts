/**
 * Thumbnails of pages read back from the encrypted disk cache (issue 12.4):
 * the image route renders from a lease of the page (the page reader's reused
 * slot), not from a copy of it, and gives the slot back once the thumbnail is
 * made, also when the render fails. More pages than there are slots, one
 * after the other, must each come through a slot; an altered page file is
 * page-damaged and its slot goes back too.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScanbridgeError } from '@scanbridge/protocol';
import { pageFileName } from '../buffer/page-files.js';
import { pageReader } from '../buffer/page-reader.js';
import { openManager, tempDir } from '../buffer/test-helpers.js';
import { sharp } from '../imaging/sharp.js';
import { ImageRenderer } from './image-renderer.js';

/** More than the page reader's slots (6). */
const PAGES = 10;

test('thumbnails of pages from the disk cache render from reused slots that go back, also after a damaged page', async (t) => {
  const dir = await tempDir(t);
  const manager = await openManager(t, dir, { memoryBudgetBytes: 1 });
  const session = await manager.create('https://app.example');
  for (let i = 0; i < PAGES; i++) {
    const width = 100 + 5 * i;
    const bytes = await sharp({ create: { width, height: 160, channels: 3, background: { r: 20 * i, g: 100, b: 200 } } }).jpeg().toBuffer();
    await session.buffer.add({ format: 'jpeg', bytes, width, height: 160, xdpi: 150, ydpi: 150, mode: 'color', bitDepth: 8 });
  }
  const pages = session.buffer.list();
  const renderer = new ImageRenderer();
  const thumbnail = (i: number) => renderer.render(`${session.id}:${pages[i]!.id}.${pages[i]!.version}`, () => session.buffer.leaseImage(pages[i]!.id), 40, 40);

  const file = join(dir, session.id, pageFileName(pages[3]!.id, pages[3]!.version));
  const sealed = await readFile(file);
  sealed[sealed.length - 3]! ^= 0x08;
  await writeFile(file, sealed);
  const leased = pageReader.leased;
  for (let round = 0; round < 2; round++) {
    await assert.rejects(thumbnail(3), (err: unknown) => err instanceof ScanbridgeError && err.code === 'page-damaged', 'the altered page');
  }
  for (let i = 0; i < PAGES; i++) {
    if (i === 3) continue;
    const rendered = await thumbnail(i);
    const { data, info } = await sharp(rendered.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.height, 40, `page ${i}: fitted into 40x40`);
    assert.ok(Math.abs(info.width - (100 + 5 * i) / 4) <= 1 && rendered.width === info.width, `page ${i}: ${info.width} wide`);
    assert.ok(Math.abs(data[0]! - Math.min(255, 20 * i)) < 12, `page ${i}: its own pixels (red ${data[0]})`);
  }
  assert.equal(pageReader.leased - leased, PAGES - 1, 'every thumbnail came through a slot: each slot went back after its render');
  assert.equal(session.buffer.count(), PAGES);
});
