/**
 * Saving never holds the document: pages are read from the buffer only a few
 * ahead of what has been written, whatever the page count.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { StoredImage } from '../buffer/types.js';
import { outputFiles, type OutputFormat } from './encode.js';
import { loadAll } from './test-tools.js';

const PAGES = 300;

describe('saving streams', () => {
  for (const format of ['pdf', 'tiff'] as OutputFormat[]) {
    it(`${format}: ${PAGES} pages, read at most a few pages ahead of the output`, async () => {
      const [page] = await loadAll(await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).png().toBuffer(), { xdpi: 72 });
      let read = 0;
      const source = {
        count: PAGES,
        get: async (): Promise<StoredImage> => {
          read++;
          return page!;
        },
      };
      const [file] = outputFiles(source, { format });
      let written = 0;
      let mostAhead = 0;
      let chunks = 0;
      for await (const chunk of file!.chunks()) {
        chunks++;
        // A page is written when its page object (PDF) or directory (TIFF, 'PageNumber' tag 297 = 0x0129) goes out.
        const text = chunk.toString('latin1');
        written += format === 'pdf' ? (text.match(/\/Type \/Page /g)?.length ?? 0) : chunk.length >= 2 && chunk.readUInt16LE(0) > 5 && chunk.includes(Buffer.from([0x29, 0x01, 0x03, 0x00])) ? 1 : 0;
        mostAhead = Math.max(mostAhead, read - written);
      }
      assert.equal(read, PAGES);
      assert.equal(written, PAGES);
      assert.ok(chunks > PAGES, 'the file comes in many chunks, not one');
      assert.ok(mostAhead <= 5, `at most 5 pages read ahead of the output, saw ${mostAhead}`);
    });
  }
});
