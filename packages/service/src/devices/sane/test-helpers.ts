/**
 * Shared by the SANE tests: scanimage (SANE's own frontend) as the reference,
 * PNM parsing, our PNGs decoded by netpbm's pngtopam (an independent decoder),
 * a sink that records everything, the device worker processes of a
 * process, and a service run in this process that scans through SANE's
 * test backend.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ScanSettings, type ScanSettingsInput } from '@scanbridge/protocol';
import type { AcquiredPage, EncodedPage, ScanProgress, ScanSink } from '../driver.js';
import { after, before } from 'node:test';
import { rpc, startInProcess, type InProcess } from '../../test-support/service-harness.js';
import { createTestBackend, type TestBackend } from './test-backend.js';

const run = promisify(execFile);

export const settings = (input: ScanSettingsInput = {}): ScanSettings => ScanSettings.parse(input);

/** scanimage's PNM output for the same device and options. */
export async function scanimage(backend: TestBackend, device: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run('scanimage', ['-d', device, '--format=pnm', ...args], { env: { ...process.env, ...backend.env }, encoding: 'buffer', maxBuffer: 256 << 20 });
  return stdout;
}

export interface Pixels {
  width: number;
  height: number;
  channels: number;
  /** Every sample scaled to 0..65535, so that 1-, 8- and 16-bit images compare. */
  samples: number[];
}

/**
 * P4, P5 and P6 (binary PNM, 8 or 16 bits, comments allowed). `padded`: the
 * lines hold more bytes than the header's width needs, and only the first
 * ones are pixels (scanimage writes SANE's line padding as it comes).
 */
export function parsePnm(pnm: Buffer, padded = false): Pixels {
  const fields: string[] = [];
  let at = 0;
  const wanted = pnm.toString('latin1', 0, 2) === 'P4' ? 3 : 4;
  while (fields.length < wanted) {
    while (/\s/.test(String.fromCharCode(pnm[at]!))) at++;
    if (pnm[at] === 0x23) {
      while (pnm[at] !== 0x0a) at++;
      continue;
    }
    const start = at;
    while (!/\s/.test(String.fromCharCode(pnm[at]!))) at++;
    fields.push(pnm.toString('latin1', start, at));
  }
  at++; // the single whitespace before the data
  const [magic, w, h, max] = fields;
  const width = Number(w);
  const height = Number(h);
  const samples: number[] = [];
  if (magic === 'P4') {
    const stride = Math.ceil(width / 8);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) samples.push((pnm[at + y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 65535);
    return { width, height, channels: 1, samples };
  }
  const maxval = Number(max);
  const channels = magic === 'P6' ? 3 : 1;
  const size = maxval > 255 ? 2 : 1;
  const stride = padded ? (pnm.length - at) / height : width * channels * size;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const offset = at + y * stride + i * size;
      samples.push(Math.round(((size === 2 ? pnm.readUInt16BE(offset) : pnm[offset]!) / maxval) * 65535));
    }
  }
  if (magic !== 'P5' && magic !== 'P6') throw new Error(`unexpected PNM type ${magic}`);
  return { width, height, channels, samples };
}

/** Decode a PNG with netpbm's pngtopam. */
export function decodePng(png: Buffer): Promise<Pixels> {
  return new Promise((resolve, reject) => {
    const child = spawn('pngtopam', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(parsePnm(Buffer.concat(out))) : reject(new Error(`pngtopam failed (${code}): ${err}`))));
    child.stdin.end(png);
  });
}

export interface RecordingSink extends ScanSink {
  pages: EncodedPage[];
  progressEvents: ScanProgress[];
}

/** A sink that keeps everything; `onProgress` and `onPage` let a test act at a given moment. */
export function recordingSink(hooks: { onProgress?: (p: ScanProgress) => void; onPage?: (page: EncodedPage) => Promise<void> | void } = {}): RecordingSink {
  const sink: RecordingSink = {
    pages: [],
    progressEvents: [],
    progress(p) {
      sink.progressEvents.push(p);
      hooks.onProgress?.(p);
    },
    async page(page: AcquiredPage) {
      if (page.kind !== 'encoded') throw new Error('the SANE driver delivers encoded pages');
      sink.pages.push(page);
      await hooks.onPage?.(page);
    },
  };
  return sink;
}

/** Pids of the SANE device workers whose parent is `parent` (discovery workers left out), or of one device's. */
export async function saneWorkers(parent = process.pid, device?: string): Promise<number[]> {
  const children = (await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean).map(Number);
  const workers: number[] = [];
  for (const pid of children) {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const at = args.findIndex((a) => a.endsWith('sane-worker-main.js'));
    const role = at >= 0 ? args[at + 2] : undefined;
    if (role && role !== 'discovery' && (device === undefined || role === device)) workers.push(pid);
  }
  return workers;
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export interface SaneServiceFixture {
  /** Set once the calling suite's `before` has run. */
  readonly svc: InProcess;
  readonly session: string;
}

/**
 * SANE's test backend (one device) and a service run in this process that
 * scans through it, with a session: started in the calling suite's `before`,
 * stopped in its `after`. The device workers inherit this process's
 * environment, so SANE_CONFIG_DIR points at the backend meanwhile.
 */
export function inProcessSaneService(): SaneServiceFixture {
  const fixture = {} as { svc: InProcess; session: string };
  let backend: TestBackend;
  const saved = process.env.SANE_CONFIG_DIR;
  before(async () => {
    backend = await createTestBackend(1);
    process.env.SANE_CONFIG_DIR = backend.dir;
    fixture.svc = await startInProcess({ 'sane-scanners': 'true' });
    fixture.session = ((await rpc(fixture.svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await fixture.svc?.close();
    if (saved === undefined) delete process.env.SANE_CONFIG_DIR;
    else process.env.SANE_CONFIG_DIR = saved;
    await backend?.remove();
  });
  return fixture;
}
