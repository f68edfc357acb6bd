/**
 * Shared by the imaging tests: a service with a session and its buffer
 * events, synthetic and demo-scanner pages, and independent decoding of
 * what the service stores (netpbm's pngtopnm and jpegtopnm, not libvips).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import WebSocket from 'ws';
import { ScanSettings, type BufferEvent, type EventEnvelope, type PageInfo, type ScanSettingsInput } from '@scanbridge/protocol';
import { DemoDriver } from '../devices/demo/index.js';
import type { EncodedPage } from '../devices/driver.js';
import type { StoredImage } from '../buffer/types.js';
import { rpc, startInProcess, tokenFor, type Call, type InProcess } from '../test-support/service-harness.js';

const run = promisify(execFile);

/** Pixels decoded by netpbm: samples interleaved, 1 or 3 channels. */
export interface Pnm {
  /** P4 bilevel, P5 grey, P6 colour. */
  kind: 'P4' | 'P5' | 'P6';
  width: number;
  height: number;
  channels: 1 | 3;
  maxval: number;
  /** Samples; bilevel (P4) pixels as 0 (black) and 1 (white), maxval 1. */
  data: Uint16Array | Uint8Array;
}

function parsePnm(bytes: Buffer): Pnm {
  let at = 0;
  const space = (): boolean => /\s/.test(String.fromCharCode(bytes[at]!));
  const token = (): string => {
    while (space() || bytes[at] === 0x23) {
      if (bytes[at] === 0x23) while (bytes[at] !== 0x0a) at++;
      else at++;
    }
    const start = at;
    while (!space()) at++;
    return bytes.toString('latin1', start, at);
  };
  const kind = token() as Pnm['kind'];
  const width = Number(token());
  const height = Number(token());
  const maxval = kind === 'P4' ? 1 : Number(token());
  at++; // the one whitespace byte before the raster
  if (kind === 'P4') {
    const stride = Math.ceil(width / 8);
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (bytes[at + y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 1;
    return { kind, width, height, channels: 1, maxval, data };
  }
  const channels = kind === 'P6' ? 3 : 1;
  const n = width * height * channels;
  if (maxval > 255) {
    const data = new Uint16Array(n);
    for (let i = 0; i < n; i++) data[i] = bytes.readUInt16BE(at + 2 * i);
    return { kind, width, height, channels, maxval, data };
  }
  return { kind, width, height, channels, maxval, data: new Uint8Array(bytes.subarray(at, at + n)) };
}

async function withFile<T>(bytes: Buffer, name: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-imaging-'));
  try {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Decodes a PNG or JPEG with netpbm. */
export async function pnm(bytes: Buffer): Promise<Pnm> {
  const png = bytes[0] === 0x89;
  return withFile(bytes, png ? 'page.png' : 'page.jpg', async (path) => {
    const { stdout } = await run(png ? 'pngtopnm' : 'jpegtopnm', [path], { encoding: 'buffer', maxBuffer: 1 << 30 });
    return parsePnm(stdout);
  });
}

/** What `djpeg -verbose` (libjpeg-turbo) says about a JPEG's JFIF header. */
export async function jfifDensity(jpeg: Buffer): Promise<string> {
  return withFile(jpeg, 'page.jpg', async (path) => {
    const { stderr } = await run('djpeg', ['-verbose', '-outfile', '/dev/null', path], { encoding: 'utf8' });
    return /JFIF APP0 marker: version [\d.]+, density (\d+x\d+)\s+(\d)/.exec(stderr)?.slice(1).join(' unit ') ?? stderr;
  });
}

/** Sample `c` of pixel (x, y). */
export const at = (p: Pnm, x: number, y: number, c = 0): number => p.data[(y * p.width + x) * p.channels + c]!;

/** A white colour page (or grey, with `channels: 1`) with filled rectangles. */
export async function drawn(
  width: number,
  height: number,
  rects: { x: number; y: number; width: number; height: number; colour: string }[],
  opts: { channels?: 1 | 3; format?: 'png' | 'jpeg'; background?: string } = {},
): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" shape-rendering="crispEdges">${rects
    .map((r) => `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="${r.colour}"/>`)
    .join('')}</svg>`;
  let s = sharp({ create: { width, height, channels: 3, background: opts.background ?? '#ffffff' } }).composite([{ input: Buffer.from(svg) }]);
  if (opts.channels === 1) s = s.toColourspace('b-w');
  return opts.format === 'jpeg' ? s.jpeg({ quality: 90 }).toBuffer() : s.png().toBuffer();
}

/** Pages from the demo scanner as the driver delivers them (the flatbed gives one). */
export async function demoPages(input: ScanSettingsInput, device = 'demo:flatbed'): Promise<EncodedPage[]> {
  const pages: EncodedPage[] = [];
  await new DemoDriver().scan(
    device,
    ScanSettings.parse(input),
    {
      async page(p) {
        if (p.kind !== 'encoded') throw new Error('the demo driver delivers encoded pages');
        pages.push(p);
      },
      progress() {},
    },
    new AbortController().signal,
  );
  assert.ok(pages.length > 0);
  return pages;
}

/** The stored form of a page, for the analyses called directly. */
export const stored = (p: EncodedPage, bytes = p.bytes, size: { width: number; height: number } = p): StoredImage => ({
  format: bytes[0] === 0x89 ? 'png' : 'jpeg',
  bytes,
  width: size.width,
  height: size.height,
  xdpi: p.xdpi,
  ydpi: p.ydpi,
  mode: p.mode,
  bitDepth: p.bitDepth,
});

/** A page turned by `angle` degrees (clockwise) over white, in its own colour mode, as PNG. */
export async function turned(p: EncodedPage, angle: number): Promise<{ bytes: Buffer; width: number; height: number }> {
  let s = sharp(p.bytes).rotate(angle, { background: '#ffffff' });
  if (p.mode !== 'color') s = s.toColourspace('b-w');
  const { data, info } = await s.png().toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}

/** A running service with one session, its buffer events, and calls that must succeed (`call`) or may fail (`attempt`). */
export class ImagingApi {
  readonly events: BufferEvent[] = [];
  private constructor(
    readonly svc: InProcess,
    readonly session: string,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as EventEnvelope;
      if (msg.event === 'buffer') this.events.push(msg.data as BufferEvent);
    });
  }

  static async start(): Promise<ImagingApi> {
    const svc = await startInProcess();
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new ImagingApi(svc, session, ws);
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.svc.close();
  }

  attempt(method: string, params: object = {}): Promise<Call> {
    return rpc(this.svc.base, 'f', method, params, this.session);
  }

  async call<T = unknown>(method: string, params: object = {}): Promise<T> {
    const res = await this.attempt(method, params);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body)}`);
    return res.body.result![0] as T;
  }

  async add(bytes: Buffer, opts: { xdpi?: number; ydpi?: number; tags?: string[] } = {}): Promise<PageInfo> {
    return this.call<PageInfo>('AddImage', { data: bytes.toString('base64'), ...opts });
  }

  async image(page: string | number): Promise<{ bytes: Buffer; info: PageInfo }> {
    const got = await this.call<{ data: string; info: PageInfo }>('GetImage', { page });
    return { bytes: Buffer.from(got.data, 'base64'), info: got.info };
  }

  async info(page: string | number): Promise<PageInfo> {
    return (await this.call<PageInfo[]>('GetImagesInfo', { pages: [page] }))[0]!;
  }

  /** Waits for the modify events of these pages (in any order) and removes them from the list. */
  async modified(ids: string[]): Promise<void> {
    const want = new Set(ids);
    // The service pushes the event before it answers the call: it is on its way.
    while (want.size > 0) {
      const i = this.events.findIndex((e) => e.action === 'modify' && e.ids.some((id) => want.has(id)));
      if (i >= 0) {
        for (const id of this.events.splice(i, 1)[0]!.ids) want.delete(id);
        continue;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Asserts that no page but `marker` was modified since the events were last
   * taken: tagging the marker pushes an event, and events arrive in order.
   */
  async noModifyBefore(marker: string): Promise<void> {
    await this.call('SetImageTags', { pages: [marker], tags: [`mark-${this.events.length}-${Date.now()}`] });
    let i = -1;
    while ((i = this.events.findIndex((e) => e.action === 'modify' && e.ids.includes(marker))) < 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = this.events.splice(0, i + 1).slice(0, -1);
    assert.deepEqual(
      before.filter((e) => e.action === 'modify'),
      [],
    );
  }
}
