/**
 * Uploads of pages read back from the encrypted disk cache (issue 12.4): with
 * a memory budget too small to hold any page, a streamed POST of a PDF takes
 * its pages through the page reader's reused slots. Several uploads at once
 * (more pages in flight than there are slots) must each send every page's
 * JPEG whole and in order; an altered page file ends the upload with
 * page-damaged, a page removed while the upload runs with page-not-found,
 * and no page leaves the buffer.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { UploadInfo } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';
import { pageFileName } from '../../buffer/page-files.js';
import { pageReader } from '../../buffer/page-reader.js';
import { openManager, tempDir } from '../../buffer/test-helpers.js';
import { UploadManager } from './upload-manager.js';

const PAGES = 8;

describe('uploads from the disk cache', () => {
  let server: http.Server;
  let origin: string;
  let uploads: UploadManager;
  let uploadDir: string;
  const received = new Map<string, Buffer>();

  before(async () => {
    server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received.set(req.url!, Buffer.concat(parts));
        res.end('{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    uploadDir = await mkdtemp(join(tmpdir(), 'sb-upload-'));
    uploads = new UploadManager(uploadDir, []);
  });
  after(async () => {
    await uploads.cancelAll();
    server.close();
    await rm(uploadDir, { recursive: true, force: true });
  });

  async function session(t: Parameters<typeof tempDir>[0]) {
    const dir = await tempDir(t);
    const manager = await openManager(t, dir, { memoryBudgetBytes: 1 });
    const s = await manager.create(origin);
    const jpegs: Buffer[] = [];
    for (let i = 0; i < PAGES; i++) {
      // Pages of different sizes, so that slots are reused by larger and smaller pages.
      const width = 200 + 90 * i;
      const jpeg = await sharp({ create: { width, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 90 + i, sigma: 50 } } }).jpeg({ quality: 90 }).toBuffer();
      jpegs.push(jpeg);
      await s.buffer.add({ format: 'jpeg', bytes: jpeg, width, height: 300, xdpi: 150, ydpi: 150, mode: 'color', bitDepth: 8 });
    }
    return { buffer: s.buffer, id: s.id, jpegs, folder: join(dir, s.id) };
  }

  const upload = async (sessionId: string, buffer: ImageBuffer, name: string): Promise<UploadInfo> => {
    const info = await uploads.start(sessionId, buffer, origin, { format: 'pdf', destination: { method: 'post', url: `${origin}/${name}`, fieldName: 'file' }, retries: 0 } as never);
    return uploads.wait(sessionId, info.id, 60_000);
  };

  it('sends every page whole and in order, through reused slots, with several uploads at once', async (t) => {
    const { buffer, id, jpegs } = await session(t);
    const leased = pageReader.leased;
    const infos = await Promise.all(['a', 'b', 'c'].map((name) => upload(id, buffer, name)));
    for (const [n, name] of ['a', 'b', 'c'].entries()) {
      assert.equal(infos[n]!.state, 'done', JSON.stringify(infos[n]!.error));
      const body = received.get(`/${name}`)!;
      let at = 0;
      for (const [i, jpeg] of jpegs.entries()) {
        const found = body.indexOf(jpeg, at);
        assert.ok(found > at, `upload ${name}: page ${i} is not in the PDF whole, after page ${i - 1}`);
        at = found + jpeg.length;
      }
    }
    assert.ok(pageReader.leased - leased >= PAGES, `pages read into reused slots: ${pageReader.leased - leased}`);
    assert.equal(buffer.count(), PAGES);
  });

  it('an altered page file ends the upload with page-damaged; a page removed meanwhile with page-not-found', async (t) => {
    const { buffer, id, folder } = await session(t);
    const page = buffer.list()[5]!;
    const file = join(folder, pageFileName(page.id, page.version));
    const original = await readFile(file);
    const altered = Buffer.from(original);
    altered[altered.length - 7]! ^= 0x10;
    await writeFile(file, altered);
    const damaged = await upload(id, buffer, 'damaged');
    assert.deepEqual([damaged.state, damaged.error?.code], ['failed', 'page-damaged']);
    assert.match(damaged.error!.message, new RegExp(page.id));
    assert.equal(buffer.count(), PAGES);
    await writeFile(file, original);

    // Removed once the upload has begun reading pages: deterministic, whatever the socket buffers take.
    const last = buffer.list()[PAGES - 1]!.id;
    const lease = buffer.leaseImage.bind(buffer);
    let removed: Promise<number> | undefined;
    buffer.leaseImage = async (ref) => {
      removed ??= buffer.remove([last]);
      await removed;
      return lease(ref);
    };
    const gone = await upload(id, buffer, 'removed');
    assert.deepEqual([gone.state, gone.error?.code], ['failed', 'page-not-found']);
    assert.equal(buffer.count(), PAGES - 1);
  });
});
